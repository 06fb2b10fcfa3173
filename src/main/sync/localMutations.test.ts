import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { applyPushResponse } from './applyPushResponse.js';
import { LocalMutationError, LocalMutations } from './localMutations.js';
import { allPending, renumberFrom, unacknowledged, wireForm } from './outbox.js';
import { rebase } from './rebase.js';
import { readSyncState } from '../db/syncState.js';
import { champion, cohort, enrollment, FIXTURE_DATABASE_ID, page, upserts, user } from './testing/fixtures.js';
import { readRow } from './wireRows.js';

let t: ReturnType<typeof tempDatabase>;
let lm: LocalMutations;
const now = new Date('2026-05-01T12:00:00Z');

beforeEach(() => {
  t = tempDatabase();
  lm = new LocalMutations(t.app, { getUserId: () => 'usr_coord', now: () => now });
  new PullPageApplier(t.app.sqlite).apply(
    page([
      ...upserts('user', [user('usr_a'), user('usr_b', ['student', 'champion']), user('usr_coord', ['admin'])]),
      ...upserts('cohort', [cohort('coh_1')]),
      ...upserts('enrollment', [enrollment('enr_1', 'usr_a', 'coh_1')]),
      ...upserts('champion', [
        champion('ch_a', 'usr_a', 'selected'),
        champion('ch_b', 'usr_b', 'champion', { became_champion_at: '2026-02-01T00:00:00Z' }),
      ]),
    ]),
  );
});
afterEach(() => t.dispose());

const count = (sql: string, ...p: unknown[]) => (t.app.sqlite.prepare(sql).get(...p) as { n: number }).n;

describe('local mutations', () => {
  it('writes the optimistic row and a numbered outbox entry together, with ids rising by one', () => {
    const c = lm.createChampion({ userId: 'usr_a', cohortId: 'coh_1', notes: 'keen' });
    const m = lm.moveChampion({ id: c.id, to: 'selected', reason: 'great start' });
    expect(c.mutationId).toBe(1);
    expect(m.mutationId).toBe(2);
    expect(c.id).toMatch(/^ch_[A-Za-z0-9]+$/);
    expect(readRow(t.app.sqlite, 'champion', c.id)).toMatchObject({ stage: 'selected', notes: 'keen', selected_at: now.toISOString() });
    const pending = allPending(t.app.sqlite);
    expect(pending.map((e) => e.name)).toEqual(['champion.create', 'champion.move']);
    expect(wireForm(pending[1]!).args).toEqual({
      id: c.id,
      from: 'candidate',
      to: 'selected',
      at: now.toISOString(),
      reason: 'great start',
      baseVersion: 1,
    });
    expect(count('SELECT count(*) n FROM champion_stage_change WHERE champion_id = ? AND pending_mutation_id IS NOT NULL', c.id)).toBe(2);
    expect(readSyncState(t.app.sqlite).nextMutationId).toBe(3);
  });

  it('refuses a move that skips a stage, naming the field, and writes nothing', () => {
    expect(() => lm.moveChampion({ id: 'ch_a', to: 'alumni', reason: null })).toThrow(LocalMutationError);
    try {
      lm.moveChampion({ id: 'ch_a', to: 'alumni', reason: null });
    } catch (e) {
      expect((e as LocalMutationError).field).toBe('to');
      expect((e as LocalMutationError).code).toBe('bad_request');
    }
    expect(allPending(t.app.sqlite)).toHaveLength(0);
    expect(readRow(t.app.sqlite, 'champion', 'ch_a')!.stage).toBe('selected');
  });

  it('refuses unknown members, cohorts and a second global champion row for one member', () => {
    expect(() => lm.createChampion({ userId: 'usr_nobody', cohortId: null, notes: '' })).toThrow(/userId: no member/);
    expect(() => lm.createChampion({ userId: 'usr_b', cohortId: 'coh_x', notes: '' })).toThrow(/cohortId: no cohort/);
    expect(() => lm.createChampion({ userId: 'usr_a', cohortId: null, notes: '' })).toThrow(/already has a global champion row/);
    expect(() => lm.removeChampion({ id: 'ch_b' })).toThrow(/only a candidate/);
    expect(allPending(t.app.sqlite)).toHaveLength(0);
  });

  it('records a manual action with the client-specific idempotency key', () => {
    const r = lm.recordAction({
      userId: 'usr_a',
      enrollmentId: 'enr_1',
      actionType: 'completed_module',
      targetType: 'module',
      targetId: 'mod_3',
      metadata: { note: 'in person' },
      occurredAt: '2026-04-30T09:00:00Z',
    });
    const row = readRow(t.app.sqlite, 'user_action', r.id)!;
    const { clientId } = readSyncState(t.app.sqlite);
    expect(row.idempotency_key).toBe(`user_action:manual:${clientId}:${r.id}`);
    expect(row.source_system).toBe('manual');
    expect(row.metadata).toEqual({ note: 'in person' });
  });

  it('shows the champion role optimistically and puts the server value back when rebased without the move', () => {
    lm.moveChampion({ id: 'ch_a', to: 'champion', reason: null });
    expect(readRow(t.app.sqlite, 'user', 'usr_a')!.roles).toEqual(['student', 'champion']);
    // The move is rejected: drop it from the outbox and rebase.
    t.app.sqlite.prepare('DELETE FROM outbox').run();
    t.app.sqlite.transaction(() => rebase(t.app.sqlite, 'usr_coord'))();
    expect(readRow(t.app.sqlite, 'user', 'usr_a')!.roles).toEqual(['student']);
  });

  it('keeps the coordinator text in a conflict and rolls the row back to the server row on rejection', () => {
    const m = lm.setNotes({ id: 'ch_a', notes: 'My careful notes' });
    const sent = unacknowledged(t.app.sqlite, 1000);
    const serverRow = champion('ch_a', 'usr_a', 'selected', { notes: 'Someone else wrote this' });
    applyPushResponse(
      t.app.sqlite,
      sent,
      {
        lastMutationId: m.mutationId,
        results: [{ id: m.mutationId, status: 'rejected', code: 'stale', message: 'notes changed on the server', current: serverRow }],
        databaseId: FIXTURE_DATABASE_ID,
        serverTime: now.toISOString(),
      },
      { now, changedBy: 'usr_coord' },
    );
    expect(readRow(t.app.sqlite, 'champion', 'ch_a')!.notes).toBe('Someone else wrote this');
    const { conflicts } = lm.listConflicts();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ code: 'stale', name: 'champion.setNotes', entityId: 'ch_a', current: serverRow });
    expect(conflicts[0]!.args.notes).toBe('My careful notes');
    expect(allPending(t.app.sqlite)).toHaveLength(0);

    const retry = lm.resolveConflict({ id: conflicts[0]!.id, resolution: 'retry-mine' });
    expect(retry.mutationId).toBe(m.mutationId + 1);
    expect(wireForm(allPending(t.app.sqlite)[0]!).args).toEqual({ id: 'ch_a', notes: 'My careful notes', baseNotes: 'Someone else wrote this' });
    expect(lm.listConflicts().conflicts).toHaveLength(0);
  });

  it('removes a refused create and shows the row the server already has instead', () => {
    t.app.sqlite.prepare("DELETE FROM champion WHERE id = 'ch_b'").run();
    const c = lm.createChampion({ userId: 'usr_b', cohortId: null, notes: 'mine' });
    const theirs = champion('ch_theirs', 'usr_b', 'candidate', { notes: 'theirs' });
    applyPushResponse(
      t.app.sqlite,
      unacknowledged(t.app.sqlite, 10),
      {
        lastMutationId: c.mutationId,
        results: [{ id: c.mutationId, status: 'rejected', code: 'duplicate_champion', message: 'exists', current: theirs }],
        databaseId: FIXTURE_DATABASE_ID,
        serverTime: now.toISOString(),
      },
      { now, changedBy: 'usr_coord' },
    );
    expect(readRow(t.app.sqlite, 'champion', c.id)).toBeNull();
    expect(readRow(t.app.sqlite, 'champion', 'ch_theirs')).toEqual(theirs);
    expect(count('SELECT count(*) n FROM champion_stage_change WHERE champion_id = ?', c.id)).toBe(0);
  });

  it('after a pull, drops applied mutations and re-applies pending ones on top of server rows', () => {
    const a = lm.moveChampion({ id: 'ch_a', to: 'champion', reason: null });
    const b = lm.setNotes({ id: 'ch_b', notes: 'pending note' });
    // The server applied the move (mutation a) but has not seen b yet.
    new PullPageApplier(t.app.sqlite).apply(
      page(
        [
          ...upserts('champion', [
            champion('ch_a', 'usr_a', 'champion', { became_champion_at: now.toISOString() }),
            champion('ch_b', 'usr_b', 'champion', { notes: 'server note' }),
          ]),
          {
            table: 'champion_stage_change',
            op: 'upsert',
            row: {
              id: 'csc_srv_1',
              champion_id: 'ch_a',
              from_stage: 'selected',
              to_stage: 'champion',
              changed_at: now.toISOString(),
              changed_by: 'usr_coord',
              reason: null,
            },
          },
        ],
        { lastMutationId: a.mutationId },
      ),
    );
    t.app.sqlite.transaction(() => {
      t.app.sqlite.prepare('DELETE FROM outbox WHERE id <= ?').run(a.mutationId);
      rebase(t.app.sqlite, 'usr_coord');
    })();
    expect(readRow(t.app.sqlite, 'champion', 'ch_b')!.notes).toBe('pending note');
    expect(count('SELECT count(*) n FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL')).toBe(0);
    expect(count("SELECT count(*) n FROM champion_stage_change WHERE champion_id = 'ch_a'")).toBe(1);
    expect(allPending(t.app.sqlite).map((e) => e.id)).toEqual([b.mutationId]);
  });

  it('renumbers pending mutations to start where the server expects, keeping their order', () => {
    lm.setNotes({ id: 'ch_a', notes: 'one' });
    lm.moveChampion({ id: 'ch_a', to: 'champion', reason: null });
    lm.setNotes({ id: 'ch_a', notes: 'three' });
    t.app.sqlite.transaction(() => renumberFrom(t.app.sqlite, 1, 8))();
    const p = allPending(t.app.sqlite);
    expect(p.map((e) => [e.id, e.name])).toEqual([
      [8, 'champion.setNotes'],
      [9, 'champion.move'],
      [10, 'champion.setNotes'],
    ]);
    expect(count('SELECT pending_mutation_id n FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL')).toBe(9);
    expect(lm.setNotes({ id: 'ch_a', notes: 'four' }).mutationId).toBe(11);
  });

  it('lets a pulled row replace a local optimistic one that collides on a unique index', () => {
    const c = lm.createChampion({ userId: 'usr_coord', cohortId: 'coh_1', notes: '' });
    new PullPageApplier(t.app.sqlite).apply(page(upserts('champion', [champion('ch_other', 'usr_coord', 'candidate', { cohort_id: 'coh_1' })])));
    expect(readRow(t.app.sqlite, 'champion', c.id)).toBeNull();
    expect(readRow(t.app.sqlite, 'champion', 'ch_other')).not.toBeNull();
  });
});

describe('rebase puts touched rows back to the server version', () => {
  it('leaves no trace of mutations the server consumed without applying (an answer lost to a crash)', () => {
    const created = lm.createChampion({ userId: 'usr_coord', cohortId: null, notes: 'new' });
    lm.setNotes({ id: 'ch_a', notes: 'never applied' });
    lm.moveChampion({ id: 'ch_a', to: 'champion', reason: null });
    const act = lm.recordAction({
      userId: 'usr_a',
      enrollmentId: null,
      actionType: 'viewed_module',
      targetType: null,
      targetId: null,
      metadata: {},
      occurredAt: '2026-04-01T00:00:00Z',
    });
    lm.setNotes({ id: 'ch_b', notes: 'still pending' });
    // The server's lastMutationId covers the first four; the pull brought no rows for them.
    t.app.sqlite.transaction(() => {
      t.app.sqlite.prepare('DELETE FROM outbox WHERE id <= 4').run();
      rebase(t.app.sqlite, 'usr_coord');
    })();
    expect(readRow(t.app.sqlite, 'champion', created.id)).toBeNull();
    expect(readRow(t.app.sqlite, 'champion', 'ch_a')).toEqual(champion('ch_a', 'usr_a', 'selected'));
    expect(readRow(t.app.sqlite, 'user', 'usr_a')!.roles).toEqual(['student']);
    expect(readRow(t.app.sqlite, 'user_action', act.id)).toBeNull();
    expect(readRow(t.app.sqlite, 'champion', 'ch_b')!.notes).toBe('still pending');
    expect(count('SELECT count(*) n FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL')).toBe(0);
  });
});

describe('local mutation input checks', () => {
  it("refuses an action in the future or on another member's enrollment, naming the field", () => {
    const base = { userId: 'usr_b', targetType: null, targetId: null, metadata: {}, actionType: 'viewed_module' as const };
    expect(() => lm.recordAction({ ...base, enrollmentId: 'enr_1', occurredAt: '2026-04-30T09:00:00Z' })).toThrow(/enrollmentId: .*another member/);
    expect(() => lm.recordAction({ ...base, enrollmentId: null, occurredAt: '2026-05-02T00:00:00Z' })).toThrow(/occurredAt/);
    expect(allPending(t.app.sqlite)).toHaveLength(0);
  });
});
