import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, localDump, newClient, seedWorld, serverDump, startTestServer, type TestServer, type World } from './harness.js';

let s: TestServer;
let world: World;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 30, cohorts: 3, champions: 10, actions: 200 });
});
afterAll(async () => {
  await s?.close();
});

describe('sync round trip against the real server', () => {
  it('pulls everything in pages, pushes local changes, and ends equal to the server', async () => {
    const c = await newClient(s.url, { pullLimit: 37 });
    try {
      const pages: number[] = [];
      c.engine.onStatus((st) => {
        if (st.progress) pages.push(st.progress.pagesDone);
      });
      const first = await c.engine.syncNow();
      expect(first.error).toBeNull();
      expect(first.phase).toBe('idle');
      expect(first.error).toBeNull();
      expect(Math.max(...pages)).toBeGreaterThan(5);
      expect(localDump(c.app)).toEqual(await serverDump(s));

      const created = c.local.createChampion({ userId: world.members[20]!, cohortId: world.cohorts[1]!, notes: 'Runs the Leeds group' });
      c.local.moveChampion({ id: created.id, to: 'selected', reason: 'ready' });
      c.local.moveChampion({ id: world.champions[0]!, to: 'selected', reason: null });
      c.local.moveChampion({ id: world.champions[0]!, to: 'champion', reason: 'great' });
      c.local.setNotes({ id: world.champions[1]!, notes: 'Met at the meetup' });
      c.local.recordAction({
        userId: world.members[3]!,
        enrollmentId: world.enrollments[3]!.id,
        actionType: 'completed_module',
        targetType: 'module',
        targetId: 'mod_9',
        metadata: { by: 'phone' },
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(c.engine.status().pending).toBe(6);
      const second = await c.engine.syncNow();
      expect(second).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
      const server = await serverDump(s);
      expect(localDump(c.app)).toEqual(server);
      const ch0 = server.champion.find((r) => (r as { id: string }).id === world.champions[0]) as { stage: string };
      expect(ch0.stage).toBe('champion');
      const u0 = server.user.find((r) => (r as { id: string }).id === world.members[0]) as { roles: string[] };
      expect(u0.roles).toContain('champion');
    } finally {
      await c.close();
    }
  });
});
