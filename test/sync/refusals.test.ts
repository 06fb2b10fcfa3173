import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMutations } from '../../src/main/sync/localMutations.js';
import {
  championOn,
  leftovers,
  localDump,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  SYNC_BACKENDS,
  type TestServer,
  type World,
} from './harness.js';

// Issue 11, findings 3, 6 and 7: a refusal never deletes what the server still has; a change
// that depended on a refused one does not apply; a move is checked against the version of the
// row the coordinator saw, not only its stage.

describe.each(SYNC_BACKENDS)('refusals (%s)', (backend) => {
  let s: TestServer;
  let world: World;

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 20, cohorts: 3, champions: 14 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('a move refused because the laptop clock runs 10 minutes fast keeps the champion here, and "retry mine" applies it', async () => {
    // The whole laptop runs 10 minutes fast: its edits and its sync engine read the same clock.
    const fastNow = () => new Date(Date.now() + 10 * 60_000);
    const c = await newClient(s.url, { now: fastNow });
    try {
      await c.engine.syncNow();
      // Not yet heard the server's clock: the first move is stamped 10 minutes ahead.
      c.app.sqlite.prepare('UPDATE sync_state SET clock_offset_ms = 0').run();
      const fast = new LocalMutations(c.app, { getUserId: () => c.session.user()?.id ?? null, now: fastNow });
      const id = world.champions[0]!;
      fast.moveChampion({ id, to: 'selected', reason: 'clock is fast' });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      const [conflict] = c.local.listConflicts().conflicts;
      expect(conflict).toMatchObject({ name: 'champion.move', code: 'invalid_args', entityId: id });
      expect(conflict!.current).toMatchObject({ id, stage: 'candidate' });
      // The server still has the row, so the laptop does too.
      expect(localDump(c.app)).toEqual(await serverDump(s));
      expect(championOn(localDump(c.app), id)).toMatchObject({ stage: 'candidate' });

      const retry = fast.resolveConflict({ id: conflict!.id, resolution: 'retry-mine' });
      expect(retry.mutationId).not.toBeNull();
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect(championOn(server, id)!.stage).toBe('selected');
      expect(localDump(c.app)).toEqual(server);
    } finally {
      await c.close();
    }
  });

  it('a cohort change refused because another row holds the slot keeps my row on the laptop', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const id = world.champions[1]!;
      const member = world.members[1]!;
      // Bob adds the same member to cohort 2 first; Alice moves her global row into cohort 2.
      bob.local.createChampion({ userId: member, cohortId: world.cohorts[2]!, notes: 'Bob' });
      await bob.engine.syncNow();
      alice.local.setCohort({ id, cohortId: world.cohorts[2]! });
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      expect(alice.local.listConflicts().conflicts[0]).toMatchObject({ code: 'duplicate_champion', entityId: id });
      const server = await serverDump(s);
      expect(championOn(server, id)).toBeDefined();
      expect(localDump(alice.app)).toEqual(server);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('A selects then undoes offline while B selects: A’s undo does not revert B’s selection, and A is told', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const id = world.champions[2]!;
      alice.local.moveChampion({ id, to: 'selected', reason: 'A: select' });
      alice.local.moveChampion({ id, to: 'candidate', reason: 'A: undo' });
      bob.local.moveChampion({ id, to: 'selected', reason: 'B: select' });
      await bob.engine.syncNow();
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      const server = await serverDump(s);
      expect(championOn(server, id)!.stage).toBe('selected');
      const conflicts = alice.local.listConflicts().conflicts;
      expect(conflicts.some((c) => c.name === 'champion.move' && c.args.reason === 'A: undo')).toBe(true);
      expect(localDump(alice.app)).toEqual(server);
      // B's own move stands, recorded once.
      const history = server.champion_stage_change.filter((r) => (r as { champion_id: string }).champion_id === id);
      expect(history.map((r) => (r as { reason: string | null }).reason).filter((r) => r !== null)).toEqual(['B: select']);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('changes behind a refused one wait: "keep server’s" shows each of them, none is sent', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const id = world.champions[3]!;
      alice.local.setNotes({ id, notes: 'A: notes written offline' });
      alice.local.moveChampion({ id, to: 'selected', reason: 'A: move after my notes' });
      alice.local.setNotes({ id, notes: 'A: second thoughts' });
      bob.local.setNotes({ id, notes: 'B: got there first' });
      await bob.engine.syncNow();

      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      let server = await serverDump(s);
      expect(championOn(server, id)).toMatchObject({ stage: 'candidate', notes: 'B: got there first' });
      expect(localDump(alice.app)).toEqual(server);
      const open = alice.local.listConflicts().conflicts;
      const refused = open.find((c) => c.name === 'champion.setNotes' && c.code === 'stale')!;
      expect(refused.args.notes).toBe('A: notes written offline');

      alice.local.resolveConflict({ id: refused.id, resolution: 'keep-server' });
      const after = alice.local.listConflicts().conflicts;
      // Each change that waited is now a conflict of its own, with its text kept.
      expect(after.map((c) => c.args.reason ?? c.args.notes)).toEqual(['A: move after my notes', 'A: second thoughts']);
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      server = await serverDump(s);
      expect(championOn(server, id)).toMatchObject({ stage: 'candidate', notes: 'B: got there first' });
      expect(localDump(alice.app)).toEqual(server);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('changes behind a refused one wait: "retry mine" sends it and them again, in order', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const id = world.champions[4]!;
      alice.local.setNotes({ id, notes: 'A: mine' });
      alice.local.moveChampion({ id, to: 'selected', reason: 'A: then select' });
      bob.local.setNotes({ id, notes: 'B: first' });
      await bob.engine.syncNow();
      await alice.engine.syncNow();
      expect(championOn(await serverDump(s), id)).toMatchObject({ stage: 'candidate', notes: 'B: first' });

      const refused = alice.local.listConflicts().conflicts.find((c) => c.code === 'stale')!;
      alice.local.resolveConflict({ id: refused.id, resolution: 'retry-mine' });
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect(championOn(server, id)).toMatchObject({ stage: 'selected', notes: 'A: mine' });
      expect(localDump(alice.app)).toEqual(server);
      expect(leftovers(alice.app)).toEqual({ outbox: 0, optimistic: 0 });
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('a change made while the push that refuses its card is on the way waits too; a change to another card goes on', async () => {
    let duringPush: (() => void) | null = null;
    const hooked: typeof fetch = async (input, init) => {
      if (duringPush && String(input).endsWith('/v1/sync/push')) {
        const run = duringPush;
        duringPush = null;
        run();
      }
      return fetch(input, init);
    };
    const alice = await newClient(s.url, { fetch: hooked });
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const [x, y] = [world.champions[7]!, world.champions[8]!];
      bob.local.setNotes({ id: x, notes: 'B: first' });
      await bob.engine.syncNow();
      alice.local.setNotes({ id: x, notes: 'A: offline' });
      // Made while that push is on the way: the server never sees them in it.
      duringPush = () => {
        alice.local.setNotes({ id: x, notes: 'A: made during the push' });
        alice.local.setNotes({ id: y, notes: 'A: another card, during the push' });
      };
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      const server = await serverDump(s);
      expect(championOn(server, x)!.notes).toBe('B: first');
      expect(championOn(server, y)!.notes).toBe('A: another card, during the push');
      expect(localDump(alice.app)).toEqual(server);
      const open = alice.local.listConflicts().conflicts;
      const refused = open.find((c) => c.args.notes === 'A: offline')!;
      expect(refused).toMatchObject({ code: 'stale', blockedBy: null });
      expect(open.find((c) => c.args.notes === 'A: made during the push')).toMatchObject({ code: 'blocked', blockedBy: refused.id });
      expect(leftovers(alice.app)).toEqual({ outbox: 0, optimistic: 0 });
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('a week-old move is stale after the card went away and came back to the same stage (no ABA)', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      const id = world.champions[5]!;
      // The card starts at selected for both.
      await bob.engine.syncNow();
      bob.local.moveChampion({ id, to: 'selected', reason: null });
      await bob.engine.syncNow();
      await alice.engine.syncNow();
      alice.local.moveChampion({ id, to: 'champion', reason: 'A: a week ago' });
      bob.local.moveChampion({ id, to: 'candidate', reason: 'B: not yet' });
      bob.local.moveChampion({ id, to: 'selected', reason: 'B: now yes' });
      await bob.engine.syncNow();
      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      expect(alice.local.listConflicts().conflicts[0]).toMatchObject({ name: 'champion.move', code: 'stale', entityId: id });
      const server = await serverDump(s);
      expect(championOn(server, id)!.stage).toBe('selected');
      expect(localDump(alice.app)).toEqual(server);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('tells an app that speaks protocol 1 to update, in plain words, and changes nothing', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      const health = (await (await fetch(`${s.url}/v1/health`)).json()) as { protocol: number };
      expect(health.protocol).toBe(2);
      const id = world.champions[6]!;
      const res = await fetch(`${s.url}/v1/sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.session.token()!}` },
        body: JSON.stringify({
          clientId: '6f4d1f5e-3a52-4c2e-9e55-5b1e3d1c7a02',
          mutations: [{ id: 1, name: 'champion.setNotes', args: { id, notes: 'from an old app', baseNotes: '' } }],
        }),
      });
      expect(res.status).toBe(426);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('upgrade_required');
      expect(body.error.message).toMatch(/update/i);
      expect(championOn(await serverDump(s), id)!.notes).toBe('');
    } finally {
      await c.close();
    }
  });
});
