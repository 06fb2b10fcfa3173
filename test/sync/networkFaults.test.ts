import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './faultProxy.js';
import { leftovers, localDump, newClient, seedWorld, serverDump, startTestServer, type TestServer, type World } from './harness.js';

let s: TestServer;
let world: World;
let proxy: FaultProxy;
const seed = Number(process.env.AFH_FAULT_SEED ?? 20260420);

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 40, cohorts: 3, champions: 20, actions: 2500 });
  proxy = await startFaultProxy(s.url, { dropChunk: 0, badGateway: 0, maxDelayMs: 0, seed });
});
afterAll(async () => {
  await proxy?.close();
  await s?.close();
});

describe(`sync through a faulty network (seed ${seed})`, () => {
  it('converges to the server state with every mutation applied once despite drops, delays and 502s', async () => {
    // Sign in through a clean proxy, then turn the faults on.
    const c = await newClient(proxy.url, { pullLimit: 60, requestTimeoutMs: 4000 });
    proxy.setFaults({ dropChunk: 0.2, badGateway: 0.25, maxDelayMs: 30 });
    try {
      let attempts = 0;
      const syncUntilClean = async () => {
        for (;;) {
          attempts++;
          const st = await c.engine.syncNow();
          if (st.phase === 'idle' && st.pending === 0) return;
          expect(['offline', 'error']).toContain(st.phase);
          expect(st.error).toMatch(/server/i);
          if (attempts > 400) throw new Error(`no convergence after ${attempts} attempts: ${st.error}`);
        }
      };
      await syncUntilClean(); // the first full pull, through the faults
      let actions = 0;
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 25; i++) {
          c.local.recordAction({
            userId: world.members[(round * 25 + i) % world.members.length]!,
            enrollmentId: null,
            actionType: 'answered_question',
            targetType: 'question',
            targetId: `q_${round}_${i}`,
            metadata: { round, i },
            occurredAt: new Date(Date.now() - 5000).toISOString(),
          });
          actions++;
        }
        const champ = world.champions[round]!;
        c.local.moveChampion({ id: champ, to: 'selected', reason: `round ${round}` });
        c.local.moveChampion({ id: champ, to: 'champion', reason: null });
        c.local.setNotes({ id: world.champions[10 + round]!, notes: `notes from round ${round}` });
        await syncUntilClean();
      }
      proxy.setFaults({ dropChunk: 0, badGateway: 0, maxDelayMs: 0 });
      await syncUntilClean();

      expect(proxy.stats.drops).toBeGreaterThan(0);
      expect(proxy.stats.badGateways).toBeGreaterThan(0);
      expect(attempts).toBeGreaterThan(4);
      const server = await serverDump(s);
      expect(localDump(c.app)).toEqual(server);
      expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
      expect(server.user_action.filter((r) => (r as { source_system: string }).source_system === 'manual')).toHaveLength(actions);
      // Each move recorded once in the history, however often its push was resent.
      for (let round = 0; round < 4; round++) {
        const history = server.champion_stage_change.filter((r) => (r as { champion_id: string }).champion_id === world.champions[round]);
        expect(history).toHaveLength(3);
      }
      expect(c.engine.status().conflicts).toBe(0);
      console.info(`fault proxy: ${JSON.stringify(proxy.stats)}, ${attempts} sync attempts`);
    } finally {
      await c.close();
    }
  });
});
