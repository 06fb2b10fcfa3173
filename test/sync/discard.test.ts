import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardPending, listPending } from '../../src/main/sync/pending.js';
import {
  championOn,
  COORDINATOR,
  leftovers,
  localDump,
  lossyFetch,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  SYNC_BACKENDS,
  type TestServer,
  type World,
} from './harness.js';

// Issue 11 ("see pending changes and discard one without losing the others") and issue 15 (the
// Sync screen's pending list): a discard rolls back its optimistic effect and the later changes
// to the same card made on top of it, keeps every other change, and never makes the server take
// the laptop for one whose history diverged, even when the discarded change was already sent.

describe.each(SYNC_BACKENDS)('discarding a pending change (%s)', (backend) => {
  let s: TestServer;
  let world: World;

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 12, cohorts: 2, champions: 10 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a change never sent: it and the later changes to the same card go, the others sync, and the laptop equals the server', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      const [a, b] = [world.champions[0]!, world.champions[1]!];
      const first = c.local.setNotes({ id: a, notes: 'first draft' });
      c.local.moveChampion({ id: b, to: 'selected', reason: null });
      c.local.setNotes({ id: a, notes: 'second draft' });
      c.local.recordAction({
        userId: world.members[3]!,
        enrollmentId: null,
        actionType: 'viewed_module',
        targetType: null,
        targetId: null,
        metadata: {},
        occurredAt: new Date().toISOString(),
      });
      const list = listPending(c.app.sqlite);
      expect(list.map((p) => [p.what, p.member?.name ?? null, p.state])).toEqual([
        ['Change the notes', 'Member 0', 'waiting'],
        ['Move to selected', 'Member 1', 'waiting'],
        ['Change the notes', 'Member 0', 'waiting'],
        ['Record “viewed module”', 'Member 3', 'waiting'],
      ]);
      expect(discardPending(c.app.sqlite, first.mutationId, { changedBy: COORDINATOR.id })).toHaveLength(2);
      expect(championOn(localDump(c.app), a)!.notes).toBe('');
      expect(listPending(c.app.sqlite).map((p) => p.what)).toEqual(['Move to selected', 'Record “viewed module”']);
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', error: null, pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect(championOn(server, b)!.stage).toBe('selected');
      expect(championOn(server, a)!.notes).toBe('');
      expect(localDump(c.app)).toEqual(server);
      expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
    } finally {
      await c.close();
    }
  });

  it('a recorded action never sent: discarding it removes it from the member’s timeline', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      const rec = c.local.recordAction({
        userId: world.members[4]!,
        enrollmentId: null,
        actionType: 'posted_thread',
        targetType: null,
        targetId: null,
        metadata: { n: 1 },
        occurredAt: new Date().toISOString(),
      });
      expect(localDump(c.app).user_action.some((r) => (r as { id: string }).id === rec.id)).toBe(true);
      discardPending(c.app.sqlite, rec.mutationId, { changedBy: COORDINATOR.id });
      expect(localDump(c.app).user_action.some((r) => (r as { id: string }).id === rec.id)).toBe(false);
      await c.engine.syncNow();
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });

  it('a change sent whose answer was lost, and that had applied: the discard is too late, the coordinator is told, nothing diverges', async () => {
    const lossy = lossyFetch();
    const c = await newClient(s.url, { fetch: lossy.fetch });
    try {
      await c.engine.syncNow();
      const id = world.champions[2]!;
      const m = c.local.setNotes({ id, notes: 'sent, answer lost' });
      lossy.loseNext('push');
      await c.engine.syncNow();
      expect(lossy.lost).toBe(1);
      expect(listPending(c.app.sqlite)[0]).toMatchObject({ id: m.mutationId, state: 'sent' });
      discardPending(c.app.sqlite, m.mutationId, { changedBy: COORDINATOR.id });
      const other = c.local.setNotes({ id: world.champions[3]!, notes: 'kept' });
      expect(other.mutationId).toBe(m.mutationId + 1);
      const status = await c.engine.syncNow();
      expect(status).toMatchObject({ phase: 'idle', error: null, pending: 0, conflicts: 1 });
      const [conflict] = c.local.listConflicts().conflicts;
      expect(conflict).toMatchObject({ code: 'discard_too_late', name: 'champion.setNotes', entityId: id });
      const server = await serverDump(s);
      expect(championOn(server, id)!.notes).toBe('sent, answer lost');
      expect(championOn(server, world.champions[3]!)!.notes).toBe('kept');
      expect(localDump(c.app)).toEqual(server);
    } finally {
      await c.close();
    }
  });

  it('a change sent that never reached the server: the discard takes effect there too and later changes keep their numbers', async () => {
    let failPush = true;
    const flaky: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (failPush && url.endsWith('/v1/sync/push')) throw new TypeError('fetch failed: connection refused');
      return fetch(input, init);
    };
    const c = await newClient(s.url, { fetch: flaky });
    try {
      await c.engine.syncNow();
      const id = world.champions[4]!;
      const m = c.local.moveChampion({ id, to: 'selected', reason: 'never arrives' });
      await c.engine.syncNow();
      expect(listPending(c.app.sqlite)[0]).toMatchObject({ state: 'sent', what: 'Move to selected' });
      discardPending(c.app.sqlite, m.mutationId, { changedBy: COORDINATOR.id });
      expect(championOn(localDump(c.app), id)!.stage).toBe('candidate');
      expect(listPending(c.app.sqlite)).toEqual([]);
      // The discard on its way out (a noop) is not counted as the coordinator's pending change.
      expect(c.engine.status().pending).toBe(0);
      failPush = false;
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', error: null, pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect(championOn(server, id)!.stage).toBe('candidate');
      expect(localDump(c.app)).toEqual(server);
    } finally {
      await c.close();
    }
  });

  it('refuses to discard what is not pending, naming the id', () => {
    return newClient(s.url).then(async (c) => {
      try {
        expect(() => discardPending(c.app.sqlite, 999, { changedBy: COORDINATOR.id })).toThrow(/id: this change is no longer pending/);
      } finally {
        await c.close();
      }
    });
  });
});
