import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MutationEnvelope } from '../../shared/mutations.js';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { applyPushResponse } from './applyPushResponse.js';
import { LocalMutations } from './localMutations.js';
import { allPending, pushBatch, wireForm } from './outbox.js';
import { discardPending, listPending } from './pending.js';
import { rebase } from './rebase.js';
import { champion, cohort, FIXTURE_DATABASE_ID, page, upserts, user } from './testing/fixtures.js';
import { readRow } from './wireRows.js';

// Outbox rows are parsed once, when read, into the typed mutation (or a discard on its way
// out). A row that no longer parses is carried as "unreadable": it must wedge nothing.

let t: ReturnType<typeof tempDatabase>;
let lm: LocalMutations;
const now = new Date('2026-05-01T12:00:00Z');

beforeEach(() => {
  t = tempDatabase();
  lm = new LocalMutations(t.app, { getUserId: () => 'usr_coord', now: () => now });
  new PullPageApplier(t.app.sqlite).apply(
    page([
      ...upserts('user', [user('usr_a'), user('usr_coord', ['admin'])]),
      ...upserts('cohort', [cohort('coh_1')]),
      ...upserts('champion', [champion('ch_a', 'usr_a', 'candidate')]),
    ]),
  );
});
afterEach(() => t.dispose());

/** Put a row into the outbox the way a damaged file or an older release's rules would leave it. */
function damage(id: number, name: string, args: string): void {
  t.app.sqlite.prepare('UPDATE outbox SET name = ?, args = ? WHERE id = ?').run(name, args, id);
}

describe('outbox rows read back as typed mutations', () => {
  it('reads each row into its mutation, with the args of its kind', () => {
    lm.setNotes({ id: 'ch_a', notes: 'first' });
    lm.moveChampion({ id: 'ch_a', to: 'selected', reason: null });
    const [notes, move] = allPending(t.app.sqlite);
    expect(notes).toMatchObject({ id: 1, name: 'champion.setNotes', args: { id: 'ch_a', notes: 'first', baseNotes: '' } });
    expect(move).toMatchObject({ id: 2, name: 'champion.move', args: { id: 'ch_a', from: 'candidate', to: 'selected' } });
  });

  it('an unreadable row has no effect on screen, is listed and discardable, and is sent as stored', () => {
    lm.setNotes({ id: 'ch_a', notes: 'damaged one' });
    lm.setNotes({ id: 'ch_a', notes: 'second' });
    lm.recordAction({
      userId: 'usr_a',
      enrollmentId: null,
      actionType: 'viewed_module',
      targetType: null,
      targetId: null,
      metadata: {},
      occurredAt: '2026-04-30T10:00:00.000Z',
    });
    damage(1, 'champion.setNotes', '{"id":"ch_a","notes":42}');
    damage(3, 'action.record', '{not json');

    const [bad, good, notJson] = allPending(t.app.sqlite);
    expect(bad).toMatchObject({ id: 1, name: 'unreadable', stored: { name: 'champion.setNotes', args: { id: 'ch_a', notes: 42 } } });
    expect(good).toMatchObject({ id: 2, name: 'champion.setNotes' });
    expect(notJson).toMatchObject({ id: 3, name: 'unreadable', stored: { name: 'action.record', args: '{not json' }, problem: 'args: not JSON' });

    // A rebase applies what it can read and skips the rest.
    t.app.sqlite.transaction(() => rebase(t.app.sqlite, 'usr_coord'))();
    expect(readRow(t.app.sqlite, 'champion', 'ch_a')).toMatchObject({ notes: 'second' });

    // The push sends every row under its id, the unreadable ones as they were stored.
    expect(pushBatch(t.app.sqlite, 10, 1_000_000).map(wireForm)).toEqual([
      { id: 1, name: 'champion.setNotes', args: { id: 'ch_a', notes: 42 } },
      expect.objectContaining({ id: 2, name: 'champion.setNotes' }),
      { id: 3, name: 'action.record', args: '{not json' },
    ]);

    const listed = listPending(t.app.sqlite);
    expect(listed.map((p) => p.what)).toEqual([
      'A change this laptop can no longer read (the server will refuse it; you can discard it)',
      'Change the notes',
      'A change this laptop can no longer read (the server will refuse it; you can discard it)',
    ]);
    // Discarding an unreadable change takes it alone (it names no card this laptop can trust).
    expect(discardPending(t.app.sqlite, 1, { changedBy: 'usr_coord' })).toEqual([1]);
    expect(allPending(t.app.sqlite).map((e) => [e.id, e.name])).toEqual([
      [1, 'champion.setNotes'],
      [2, 'unreadable'],
    ]);
  });

  it("the server's refusal of an unreadable row becomes a conflict that keeps its text, and the changes after it go on", () => {
    lm.setNotes({ id: 'ch_a', notes: 'damaged one' });
    lm.setNotes({ id: 'ch_a', notes: 'second' });
    damage(1, 'champion.setNotes', '{"id":"ch_a","notes":42}');
    const sent = pushBatch(t.app.sqlite, 10, 1_000_000);
    const out = applyPushResponse(
      t.app.sqlite,
      sent,
      {
        databaseId: FIXTURE_DATABASE_ID,
        lastMutationId: 2,
        serverTime: now.toISOString(),
        results: [
          { id: 1, status: 'rejected', code: 'invalid_args', message: 'args.notes: expected string', field: 'args.notes' },
          { id: 2, status: 'applied' },
        ],
      },
      { now, changedBy: 'usr_coord' },
    );
    expect(out).toMatchObject({ applied: 1, rejected: 1 });
    const [c] = lm.listConflicts().conflicts;
    expect(c).toMatchObject({ name: 'champion.setNotes', code: 'invalid_args', args: { id: 'ch_a', notes: 42 }, entityId: 'ch_a' });
    expect(allPending(t.app.sqlite).map((e) => [e.id, e.name])).toEqual([[2, 'champion.setNotes']]);
    expect(readRow(t.app.sqlite, 'champion', 'ch_a')).toMatchObject({ notes: 'second' });
  });

  it('an unreadable row under a name longer than a push envelope takes goes out under the name cut to fit', () => {
    lm.setNotes({ id: 'ch_a', notes: 'x' });
    damage(1, 'n'.repeat(300), '{}');
    const [sent] = pushBatch(t.app.sqlite, 10, 1_000_000).map(wireForm);
    expect(MutationEnvelope.safeParse(sent).success).toBe(true);
    expect(sent!.name).toBe('n'.repeat(100));
  });
});
