import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDump, newClient, seedWorld, serverDump, startTestServer, type TestServer, type World } from './harness.js';

let s: TestServer;
let world: World;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 10, cohorts: 2, champions: 6 });
});
afterAll(async () => {
  await s?.close();
});

const championOn = (dump: { champion: unknown[] }, id: string) =>
  dump.champion.find((r) => (r as { id: string }).id === id) as { stage: string; notes: string; cohort_id: string | null };

describe('two coordinators change the same champion offline', () => {
  it('applies the first, turns the second into a conflict that keeps its text, and loses nothing', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const [move, notes] = [world.champions[0]!, world.champions[1]!];
      // Both offline: same champion moved two different ways, same notes edited twice.
      alice.local.moveChampion({ id: move, to: 'selected', reason: 'Alice: ready to lead' });
      alice.local.setNotes({ id: notes, notes: 'Alice: prefers Tuesday evenings' });
      bob.local.moveChampion({ id: move, to: 'selected', reason: 'Bob: also thinks so' });
      bob.local.moveChampion({ id: move, to: 'champion', reason: 'Bob: skip ahead' });
      bob.local.setNotes({ id: notes, notes: 'Bob: met her at the Leeds meetup, very keen' });

      expect(await alice.engine.syncNow()).toMatchObject({ phase: 'idle', conflicts: 0, pending: 0 });
      const bobStatus = await bob.engine.syncNow();
      expect(bobStatus.phase).toBe('idle');
      expect(bobStatus.pending).toBe(0);

      const { conflicts } = bob.local.listConflicts();
      // Protocol 2 (issue 11, findings 6-8): Bob's first move is the one Alice made, so it is
      // applied (the stage is what he wanted); his second was made on the card as his own move
      // left it, but the selection is Alice's, so it is stale rather than applied on top of
      // her decision. (Protocol 1 refused the first and applied the second.) His notes were
      // written over Alice's: stale.
      expect(conflicts.map((c) => [c.name, c.code])).toEqual([
        ['champion.move', 'stale'],
        ['champion.setNotes', 'stale'],
      ]);
      const notesConflict = conflicts[1]!;
      expect(notesConflict.args.notes).toBe('Bob: met her at the Leeds meetup, very keen');
      expect(notesConflict.current).toMatchObject({ id: notes, notes: 'Alice: prefers Tuesday evenings' });
      expect(conflicts[0]!.args.reason).toBe('Bob: skip ahead');

      const server = await serverDump(s);
      expect(championOn(server, move).stage).toBe('selected');
      expect(championOn(server, notes).notes).toBe('Alice: prefers Tuesday evenings');
      // Bob's screen shows the server's rows again (the optimistic changes were rolled back).
      expect(localDump(bob.app)).toEqual(server);
      expect(bob.engine.status().conflicts).toBe(2);

      // Bob keeps his notes after all: retried on top of Alice's text, it applies.
      bob.local.resolveConflict({ id: conflicts[0]!.id, resolution: 'keep-server' });
      const retry = bob.local.resolveConflict({ id: notesConflict.id, resolution: 'retry-mine' });
      expect(retry.mutationId).not.toBeNull();
      expect(await bob.engine.syncNow()).toMatchObject({ phase: 'idle', conflicts: 0, pending: 0 });
      expect(championOn(await serverDump(s), notes).notes).toBe('Bob: met her at the Leeds meetup, very keen');
      await alice.engine.syncNow();
      expect(localDump(alice.app)).toEqual(await serverDump(s));
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('refuses a second champion row for the same member and shows the one that won', async () => {
    const alice = await newClient(s.url);
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const member = world.members[8]!;
      const a = alice.local.createChampion({ userId: member, cohortId: world.cohorts[0]!, notes: 'Alice found her' });
      const b = bob.local.createChampion({ userId: member, cohortId: world.cohorts[0]!, notes: 'Bob found her too' });
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const [c] = bob.local.listConflicts().conflicts.filter((x) => x.name === 'champion.create');
      expect(c).toMatchObject({ code: 'duplicate_champion', entityId: b.id });
      expect(c!.args.notes).toBe('Bob found her too');
      expect(c!.current).toMatchObject({ id: a.id });
      expect(localDump(bob.app)).toEqual(await serverDump(s));
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

describe('a push answer lost on the way', () => {
  it('still turns a rejection the client never heard about into a conflict, and keeps applied ones quiet', async () => {
    let dropNextPushAnswer = false;
    const lossy: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (dropNextPushAnswer && String(input).endsWith('/v1/sync/push')) {
        dropNextPushAnswer = false;
        await res.arrayBuffer(); // the server did the work; the answer never reaches the app
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    };
    const alice = await newClient(s.url);
    const bob = await newClient(s.url, { fetch: lossy });
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      const id = world.champions[4]!;
      alice.local.moveChampion({ id, to: 'selected', reason: 'Alice first' });
      alice.local.moveChampion({ id, to: 'champion', reason: 'Alice again' });
      await alice.engine.syncNow();
      bob.local.moveChampion({ id, to: 'selected', reason: 'Bob, answer lost' }); // will be stale: the card is at champion now
      bob.local.setNotes({ id: world.champions[5]!, notes: 'Bob, applied, answer lost' });
      dropNextPushAnswer = true;
      expect((await bob.engine.syncNow()).phase).toBe('offline');
      const st = await bob.engine.syncNow();
      expect(st).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      const [c] = bob.local.listConflicts().conflicts;
      expect(c).toMatchObject({ name: 'champion.move', code: 'stale', entityId: id });
      expect(c!.args.reason).toBe('Bob, answer lost');
      expect(localDump(bob.app)).toEqual(await serverDump(s));
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});
