import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../src/shared/enums.js';
import { IngestResponse } from '../../src/shared/protocol.js';
import {
  leftovers,
  localDump,
  newClient,
  postgresReachable,
  seedWorld,
  serverDump,
  sleep,
  startTestServer,
  type TestClient,
  type TestServer,
  type World,
} from './harness.js';

// Bounded by the server: it applies a pushed mutation in ~20 ms (PGlite or PostgreSQL on this
// machine), so 3000 take about a minute;
// hence the longer timeout.
// Ten laptops, each making 300 changes in bursts and syncing while upstream systems ingest
// actions (with replays) at the same time. Every laptop must end equal to the server, and the
// server must hold exactly one action per distinct idempotency key.

const CLIENTS = 10;
const MUTATIONS = 300;
const BURSTS = 3;

let s: TestServer;
let world: World;
// With a PostgreSQL server reachable (the brief's 127.0.0.1:5432) the server runs on it, where
// pushes really run in parallel transactions; otherwise on PGlite, which serializes them.
const backend = (await postgresReachable()) ? 'postgres' : 'pglite';

beforeAll(async () => {
  s = await startTestServer(backend);
  world = await seedWorld(s, { members: 60, cohorts: 4, champions: 40, actions: 1000 });
});
afterAll(async () => {
  await s?.close();
});

async function ingestLoop(ingestKey: string, stop: () => boolean): Promise<{ keys: Set<string>; batches: number }> {
  const keys = new Set<string>();
  let batches = 0;
  let n = 0;
  while (!stop()) {
    const actions = Array.from({ length: 50 }, (_, i) => {
      // Every third event is a replay of an earlier one: it must not land twice.
      const id = i % 3 === 0 && n > 10 ? Math.floor(n / 2) : n++;
      keys.add(`user_action:stripe:evt_c_${id}`);
      return {
        user_id: world.members[id % world.members.length]!,
        action_type: 'enrolled' as const,
        source_system: 'stripe' as const,
        source_event_id: `evt_c_${id}`,
        occurred_at: '2026-03-01T00:00:00Z',
      };
    });
    const res = await fetch(`${s.url}/v1/ingest/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({ actions }),
    });
    expect(res.status).toBe(200);
    IngestResponse.parse(await res.json());
    batches++;
    // Upstream traffic, not a flood: the writers' lock is shared with the pushes under test.
    await sleep(100);
  }
  return { keys, batches };
}

function makeBurst(c: TestClient, k: number, count: number, random: () => number): string[] {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    if (r < 0.8) {
      const out = c.local.recordAction({
        userId: world.members[Math.floor(random() * world.members.length)]!,
        enrollmentId: null,
        actionType: 'posted_reply',
        targetType: 'post',
        targetId: `post_${k}_${i}`,
        metadata: { client: k },
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
      });
      keys.push(c.app.sqlite.prepare('SELECT idempotency_key k FROM user_action WHERE id = ?').pluck().get(out.id) as string);
    } else if (r < 0.9) {
      const id = world.champions[Math.floor(random() * world.champions.length)]!;
      const row = c.app.sqlite.prepare('SELECT stage FROM champion WHERE id = ?').get(id) as { stage: (typeof STAGES)[number] } | undefined;
      if (!row) continue;
      const at = STAGES.indexOf(row.stage);
      const to = at === STAGES.length - 1 ? STAGES[at - 1]! : STAGES[at + 1]!;
      c.local.moveChampion({ id, to, reason: `client ${k}` });
    } else {
      const id = world.champions[Math.floor(random() * world.champions.length)]!;
      c.local.setNotes({ id, notes: `client ${k} wrote ${i}` });
    }
  }
  return keys;
}

describe(`${CLIENTS} clients × ${MUTATIONS} mutations against one server (${backend}), with ingest running`, () => {
  it('leaves every client equal to the server and one action per distinct idempotency key', async () => {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => newClient(s.url, { pullLimit: 2000 })));
    let done = false;
    try {
      await Promise.all(clients.map((c) => c.engine.syncNow()));
      const ingest = ingestLoop((await s.server.admin.createIngestKey('stripe')).secret, () => done);
      const manualKeys = new Set<string>();
      let seed = 1;
      const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      for (let b = 0; b < BURSTS; b++) {
        await Promise.all(
          clients.map(async (c, k) => {
            for (const key of makeBurst(c, k, MUTATIONS / BURSTS, random)) manualKeys.add(key);
            const st = await c.engine.syncNow();
            expect(st.phase, st.error ?? '').toBe('idle');
          }),
        );
      }
      done = true;
      const { keys: ingestKeys, batches } = await ingest;
      // A last round so every client sees everyone else's final changes.
      for (const c of clients) expect((await c.engine.syncNow()).phase).toBe('idle');

      const server = await serverDump(s);
      for (const c of clients) {
        expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
        expect(localDump(c.app)).toEqual(server);
      }
      const serverKeys = server.user_action.map((r) => (r as { idempotency_key: string | null }).idempotency_key);
      expect(new Set(serverKeys).size).toBe(serverKeys.length);
      expect(manualKeys.size).toBeGreaterThan(CLIENTS * MUTATIONS * 0.7);
      for (const key of manualKeys) expect(serverKeys.includes(key), key).toBe(true);
      expect(server.user_action).toHaveLength(1000 + manualKeys.size + ingestKeys.size);
      expect(batches).toBeGreaterThan(1);
      console.info(
        `concurrency: ${manualKeys.size} manual actions, ${ingestKeys.size} ingested keys in ${batches} batches, ${clients.reduce((n, c) => n + c.engine.status().conflicts, 0)} conflicts`,
      );
    } finally {
      done = true;
      await Promise.all(clients.map((c) => c.close()));
    }
  }, 240_000);
});
