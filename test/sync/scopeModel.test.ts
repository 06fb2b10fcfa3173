import { describe, expect, it } from 'vitest';
import { apiClient } from '../../src/server/testing/httpClient.js';
import { STAGES } from '../../src/shared/enums.js';
import {
  localDump,
  serverDump,
  lossyFetch,
  newClient,
  seedWorld,
  startTestServer,
  SYNC_BACKENDS,
  type TestClient,
  type TestServer,
  type World,
} from './harness.js';
import { memberRowCounts, scopedView, storedMemberRowCounts } from './scopeView.js';

// THE model test of scoped sync (issue 13). Seeded and randomized: several laptops of
// coordinators with different scopes that keep changing, while concurrent writers on the
// server ingest actions, move enrollments between cohorts, change scopes, push champion moves
// and notes from the laptops, and erase members; laptops sync in the middle of all that. After
// quiescence every laptop's six tables must equal its scoped view computed independently from
// the server's tables with the rule (scopeView.ts, which never reads scope_member).
// A variant loses push and pull answers on the way back.
//
// AFH_SCOPE_SEED picks the seed, AFH_SCOPE_ROUNDS the rounds (CI-sized by default).

const SEED = Number(process.env.AFH_SCOPE_SEED ?? 1313);
const ROUNDS = Number(process.env.AFH_SCOPE_ROUNDS ?? 12);
const PW = 'pw-model-coordinator';
const COORDS = ['usr_k_a', 'usr_k_b', 'usr_k_c'] as const;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Laptop {
  coordinatorId: string;
  client: TestClient;
  lossy: ReturnType<typeof lossyFetch> | null;
}

async function runModel(backend: (typeof SYNC_BACKENDS)[number], seed: number, opts: { loseAnswers: boolean }): Promise<void> {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const chance = (p: number) => random() < p;
  const s: TestServer = await startTestServer(backend);
  const laptops: Laptop[] = [];
  try {
    const world: World = await seedWorld(s, { members: 36, cohorts: 6, champions: 12, actions: 400 });
    const api = apiClient(s.url);
    await s.server.admin.createUser({ id: 'usr_model_super', email: 'super@model.test', name: 'Super', roles: ['superadmin'], password: PW });
    const superToken = (await api.post<{ token: string }>('/v1/auth/login', { email: 'super@model.test', password: PW })).body.token;
    const key = (await s.server.admin.createIngestKey('platform')).secret;
    const randomScope = () => {
      const cohorts = world.cohorts.filter(() => chance(0.35));
      return { all: false, cohortIds: cohorts.length > 0 ? cohorts : [pick(world.cohorts)] };
    };
    for (const id of COORDS) {
      await s.server.admin.createUser({ id, email: `${id}@model.test`, name: id, roles: ['admin'], password: PW });
      await s.server.admin.setScope(id, randomScope());
      const lossy = opts.loseAnswers ? lossyFetch() : null;
      const client = await newClient(s.url, { signIn: false, pullLimit: 3 + Math.floor(random() * 20), ...(lossy ? { fetch: lossy.fetch } : {}) });
      await client.session.signIn(s.url, `${id}@model.test`, PW);
      laptops.push({ coordinatorId: id, client, lossy });
    }
    let alive = [...world.members];
    const enrollments = world.enrollments.map((e, i) => ({ ...e, cohortId: world.cohorts[i % world.cohorts.length]! }));
    let n = 0;

    const writer = async (): Promise<void> => {
      const what = random();
      if (what < 0.25) {
        const actions = Array.from({ length: 1 + Math.floor(random() * 5) }, () => ({
          user_id: pick(alive),
          action_type: 'viewed_module',
          target_type: 'module',
          target_id: `mod_${n}`,
          source_system: 'segment',
          source_event_id: `evt_model_${seed}_${n++}`,
          occurred_at: '2026-03-01T00:00:00Z',
        }));
        const r = await api.post('/v1/ingest/actions', { actions }, key);
        // An erased member can race with the batch: 400 naming the user, nothing written.
        expect([200, 400]).toContain(r.status);
      } else if (what < 0.5) {
        const live = enrollments.filter((e) => alive.includes(e.userId));
        const batch = live.length === 0 ? [] : [pick(live)];
        if (chance(0.4) && alive.length > 0) batch.push({ id: `enr_model_${seed}_${n++}`, userId: pick(alive), cohortId: pick(world.cohorts) });
        const rows = [...new Map(batch.map((e) => [e.id, e])).values()].map((e) => {
          e.cohortId = pick(world.cohorts);
          return {
            id: e.id,
            user_id: e.userId,
            cohort_id: e.cohortId,
            course_name: 'Ten Keys',
            status: 'active',
            enrolled_at: '2026-01-02T00:00:00Z',
          };
        });
        if (rows.length === 0) return;
        const r = await api.post('/v1/ingest/enrollments', { enrollments: rows }, key);
        expect([200, 400]).toContain(r.status);
        if (r.status === 200)
          for (const row of rows)
            if (!enrollments.some((e) => e.id === row.id)) enrollments.push({ id: row.id, userId: row.user_id, cohortId: row.cohort_id });
      } else if (what < 0.7) {
        const id = pick(COORDS);
        const scope = randomScope();
        const r = await api.put(`/v1/admin/scopes/${id}`, scope, superToken);
        expect(r.status).toBe(200);
      } else if (what < 0.93) {
        // A laptop changes champions it holds (moves, notes, a new candidate), then pushes and pulls.
        const l = pick(laptops);
        const cards = l.client.app.sqlite.prepare('SELECT id, stage FROM champion').all() as { id: string; stage: string }[];
        for (let k = 0; k < 2 && cards.length > 0; k++) {
          const card = pick(cards);
          try {
            if (chance(0.5)) {
              const at = STAGES.indexOf(card.stage as (typeof STAGES)[number]);
              const to = STAGES[at + 1] ?? STAGES[at - 1]!;
              l.client.local.moveChampion({ id: card.id, to, reason: null });
            } else l.client.local.setNotes({ id: card.id, notes: `note ${n++} from ${l.coordinatorId}` });
          } catch {
            // A local rule refused it (a card waiting behind a conflict): not part of this model.
          }
        }
        const held = l.client.app.sqlite.prepare('SELECT id FROM "user" WHERE id LIKE \'usr_m%\'').all() as { id: string }[];
        if (held.length > 0 && chance(0.3)) {
          try {
            l.client.local.createChampion({ userId: pick(held).id, cohortId: pick(world.cohorts), notes: 'spotted' });
          } catch {
            // Already has a card there.
          }
        }
        if (l.lossy && chance(0.3)) l.lossy.loseNext(chance(0.5) ? 'push' : 'pull');
        await l.client.engine.syncNow();
      } else if (alive.length > 20) {
        const victim = pick(alive);
        alive = alive.filter((m) => m !== victim);
        const r = await api.del(`/v1/users/${victim}`, superToken);
        expect(r.status).toBe(204);
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      // Writers and syncing laptops at once: syncs race with every kind of write.
      const jobs: Promise<unknown>[] = [];
      for (let w = 0; w < 4; w++) jobs.push(writer());
      for (const l of laptops) if (chance(0.6)) jobs.push(l.client.engine.syncNow());
      await Promise.all(jobs);
    }

    // Quiescence: nothing writes any more; each laptop syncs until nothing is pending.
    for (const l of laptops) {
      for (let k = 0; k < 4; k++) {
        const st = await l.client.engine.syncNow();
        if (st.error === null && st.pending === 0) break;
      }
      const st = l.client.engine.status();
      expect(st.error, `${l.coordinatorId} (seed ${seed})`).toBeNull();
      expect(st.pending, `${l.coordinatorId} (seed ${seed})`).toBe(0);
    }
    // The counts a first scoped sync sizes its pages by stayed exact through every writer above.
    expect(await storedMemberRowCounts(s), `member_row_count (seed ${seed})`).toEqual(memberRowCounts(await serverDump(s)));
    for (const l of laptops) {
      const want = await scopedView(s, l.coordinatorId);
      expect(localDump(l.client.app), `${l.coordinatorId}'s laptop against its scoped view (seed ${seed})`).toEqual(want);
    }
  } finally {
    for (const l of laptops) await l.client.close();
    await s.close();
  }
}

describe.each(SYNC_BACKENDS)(`scoped sync model, seed ${SEED}, ${ROUNDS} rounds (%s)`, (backend) => {
  it('every laptop ends equal to its scoped view computed from the server’s tables', { timeout: 300_000 }, async () => {
    await runModel(backend, SEED, { loseAnswers: false });
  });
  it('… with push and pull answers lost on the way back', { timeout: 300_000 }, async () => {
    await runModel(backend, SEED + 1, { loseAnswers: true });
  });
});
