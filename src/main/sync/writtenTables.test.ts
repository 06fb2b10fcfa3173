import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA_TABLES, type DataTable } from '../../shared/rows.js';
import type { PushResponse } from '../../shared/protocol.js';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { applyPushResponse } from './applyPushResponse.js';
import { LocalMutations } from './localMutations.js';
import { dropAcknowledged, pushBatch, renumberFrom, startOver } from './outbox.js';
import { discardPending } from './pending.js';
import { rebase } from './rebase.js';
import { champion, cohort, enrollment, FIXTURE_DATABASE_ID, page, upserts, user } from './testing/fixtures.js';
import { rejectTooLarge } from './tooLarge.js';
import { collectWrites } from './writtenTables.js';

// Every write reports the tables it changed: the screens re-read exactly those. Here each kind
// of write runs against a real file, and every table a screen reads is compared before and
// after: a table that changed without being reported fails the test.

let t: ReturnType<typeof tempDatabase>;
let lm: LocalMutations;
const now = new Date('2026-05-01T12:00:00Z');
const ctx = { now, changedBy: 'usr_coord' };

const contents = (sqlite: Database.Database): Record<DataTable, string> =>
  Object.fromEntries(DATA_TABLES.map((table) => [table, JSON.stringify(sqlite.prepare(`SELECT * FROM "${table}" ORDER BY rowid`).all())])) as Record<
    DataTable,
    string
  >;

/** Run a write; fail if it changed a table it did not report. Returns what it reported. */
function expectReported(what: string, fn: () => unknown): DataTable[] {
  const before = contents(t.app.sqlite);
  const { tables } = collectWrites(t.app.sqlite, fn);
  const after = contents(t.app.sqlite);
  const changed = DATA_TABLES.filter((table) => before[table] !== after[table]);
  expect(
    changed.filter((table) => !tables.includes(table)),
    `${what}: changed but not reported`,
  ).toEqual([]);
  expect(changed.length, `${what}: should change something`).toBeGreaterThan(0);
  return tables;
}

const answer = (results: PushResponse['results'], lastMutationId: number): PushResponse => ({
  databaseId: FIXTURE_DATABASE_ID,
  lastMutationId,
  serverTime: now.toISOString(),
  results,
});

const recordAction = () =>
  lm.recordAction({
    userId: 'usr_a',
    enrollmentId: 'enr_1',
    actionType: 'completed_module',
    targetType: null,
    targetId: null,
    metadata: {},
    occurredAt: '2026-04-30T10:00:00.000Z',
  });

beforeEach(() => {
  t = tempDatabase();
  lm = new LocalMutations(t.app, { getUserId: () => 'usr_coord', now: () => now });
  new PullPageApplier(t.app.sqlite).apply(
    page([
      ...upserts('user', [user('usr_a'), user('usr_b'), user('usr_c', ['student', 'champion']), user('usr_coord', ['admin'])]),
      ...upserts('cohort', [cohort('coh_1'), cohort('coh_2')]),
      ...upserts('enrollment', [enrollment('enr_1', 'usr_a', 'coh_1')]),
      ...upserts('champion', [
        champion('ch_a', 'usr_a', 'candidate'),
        champion('ch_s', 'usr_b', 'selected'),
        champion('ch_c', 'usr_c', 'champion', { became_champion_at: '2026-02-01T00:00:00Z' }),
      ]),
    ]),
  );
});
afterEach(() => t.dispose());

describe('every local write reports the tables it changes', () => {
  it('each kind of change a coordinator makes', () => {
    expectReported('champion.create', () => lm.createChampion({ userId: 'usr_b', cohortId: 'coh_1', notes: 'new' }));
    expectReported('champion.move', () => lm.moveChampion({ id: 'ch_a', to: 'selected', reason: null }));
    // Into `champion`: the member's roles change too (the champion role rule, shown optimistically).
    expect(expectReported('champion.move (role)', () => lm.moveChampion({ id: 'ch_s', to: 'champion', reason: 'ready' }))).toContain('user');
    expectReported('champion.setNotes', () => lm.setNotes({ id: 'ch_c', notes: 'changed' }));
    expectReported('champion.setCohort', () => lm.setCohort({ id: 'ch_c', cohortId: 'coh_2' }));
    lm.createChampion({ userId: 'usr_c', cohortId: 'coh_1', notes: '' });
    const fresh = t.app.sqlite.prepare("SELECT id FROM champion WHERE user_id = 'usr_c' AND cohort_id = 'coh_1'").get() as { id: string };
    expectReported('champion.remove', () => lm.removeChampion({ id: fresh.id }));
    expectReported('action.record', recordAction);
  });

  it('push answers: applied, refused, waiting behind a refusal, deduplicated, and a discard that came too late', () => {
    lm.setNotes({ id: 'ch_a', notes: 'mine' });
    lm.moveChampion({ id: 'ch_a', to: 'selected', reason: null });
    const action = recordAction();
    lm.moveChampion({ id: 'ch_c', to: 'alumni', reason: null });
    lm.setNotes({ id: 'ch_a', notes: 'on top, not yet sent' });
    const sent = pushBatch(t.app.sqlite, 4, 1_000_000);
    expectReported('push answer', () =>
      applyPushResponse(
        t.app.sqlite,
        sent,
        answer(
          [
            { id: 1, status: 'rejected', code: 'stale', message: 'changed', current: { ...champion('ch_a', 'usr_a', 'candidate'), notes: 'theirs' } },
            { id: 2, status: 'rejected', code: 'blocked', message: 'waits' },
            { id: 3, status: 'applied', deduplicatedTo: 'act_server' },
            { id: 4, status: 'applied' },
          ],
          4,
        ),
        ctx,
      ),
    );
    expect(action.mutationId).toBe(3);

    lm.setNotes({ id: 'ch_s', notes: 'to discard' });
    const [toDiscard] = pushBatch(t.app.sqlite, 10, 1_000_000).filter((e) => e.name === 'champion.setNotes' && e.args.id === 'ch_s');
    t.app.sqlite.prepare('UPDATE outbox SET attempts = 1 WHERE id = ?').run(toDiscard!.id);
    expectReported('discard of a sent change', () => discardPending(t.app.sqlite, toDiscard!.id, { changedBy: 'usr_coord' }));
    const noop = pushBatch(t.app.sqlite, 10, 1_000_000).filter((e) => e.name === 'noop');
    expectReported('a discard that came too late', () =>
      applyPushResponse(
        t.app.sqlite,
        noop,
        answer(
          [{ id: noop[0]!.id, status: 'applied', discard: 'too_late', current: { ...champion('ch_s', 'usr_b', 'selected'), notes: 'to discard' } }],
          noop[0]!.id,
        ),
        ctx,
      ),
    );
  });

  it('resolving conflicts, discarding an unsent change, a too-large change, and the outbox bookkeeping', () => {
    lm.setNotes({ id: 'ch_a', notes: 'mine' });
    lm.setNotes({ id: 'ch_a', notes: 'mine, again' });
    applyPushResponse(
      t.app.sqlite,
      pushBatch(t.app.sqlite, 1, 1_000_000),
      answer(
        [{ id: 1, status: 'rejected', code: 'stale', message: 'changed', current: { ...champion('ch_a', 'usr_a', 'candidate'), notes: 'theirs' } }],
        1,
      ),
      ctx,
    );
    const [refused, waiting] = lm.listConflicts().conflicts;
    expect(waiting?.blockedBy).toBe(refused!.id);
    expectReported('retry mine (and the change waiting behind it)', () => lm.resolveConflict({ id: refused!.id, resolution: 'retry-mine' }));

    lm.setNotes({ id: 'ch_s', notes: 'refused too' });
    const last = pushBatch(t.app.sqlite, 10, 1_000_000);
    applyPushResponse(
      t.app.sqlite,
      last,
      answer(
        last.map((e) => ({ id: e.id, status: 'rejected' as const, code: 'stale' as const, message: 'changed' })),
        last[last.length - 1]!.id,
      ),
      ctx,
    );
    const open = lm.listConflicts().conflicts;
    expectReported('keep the server’s', () => lm.resolveConflict({ id: open[0]!.id, resolution: 'keep-server' }));

    lm.setNotes({ id: 'ch_c', notes: 'never sent' });
    const unsent = pushBatch(t.app.sqlite, 10, 1_000_000).find((e) => e.attempts === 0)!;
    expectReported('discard of an unsent change', () => discardPending(t.app.sqlite, unsent.id, { changedBy: 'usr_coord' }));

    lm.setNotes({ id: 'ch_c', notes: 'far too large, say' });
    const big = pushBatch(t.app.sqlite, 10, 1_000_000).find((e) => e.name === 'champion.setNotes' && e.args.id === 'ch_c')!;
    expectReported('a change too large to send', () => rejectTooLarge(t.app.sqlite, big, ctx));

    lm.setNotes({ id: 'ch_c', notes: 'a' });
    lm.setNotes({ id: 'ch_c', notes: 'b' });
    expectReported('renumbering after mutation_gap', () => renumberFrom(t.app.sqlite, 1, 50));
    expectReported('starting over as a new client', () => startOver(t.app.sqlite));
    expectReported('dropping what a pull covered, and the rebase after it', () => {
      dropAcknowledged(t.app.sqlite, 1);
      rebase(t.app.sqlite, 'usr_coord');
    });
  });

  it('a pulled erasure reports the conflicts and pending changes it takes with the member', () => {
    lm.setNotes({ id: 'ch_a', notes: 'about a member about to be erased' });
    applyPushResponse(
      t.app.sqlite,
      pushBatch(t.app.sqlite, 1, 1_000_000),
      answer([{ id: 1, status: 'rejected', code: 'stale', message: 'changed' }], 1),
      ctx,
    );
    recordAction();
    expect(lm.listConflicts().conflicts).toHaveLength(1);
    const applier = new PullPageApplier(t.app.sqlite);
    const reported = expectReported(
      'a pulled erasure',
      () =>
        applier.apply(
          page([
            { table: 'champion', op: 'delete', id: 'ch_a' },
            { table: 'enrollment', op: 'delete', id: 'enr_1' },
            { table: 'user', op: 'delete', id: 'usr_a' },
          ]),
        ).tables,
    );
    expect(reported).toEqual(expect.arrayContaining(['conflict', 'outbox', 'user', 'champion', 'user_action']));
    expect(lm.listConflicts().conflicts).toEqual([]);
  });
});
