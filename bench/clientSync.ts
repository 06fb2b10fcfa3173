// Child process: one fresh client database, synced from the server end to end over loopback
// HTTP exactly as the app does it (SyncEngine), while a probe keeps searching the same
// database on the same event loop: its latency is what a coordinator typing into the search
// box during a first sync would feel. Prints one JSON line of figures.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { bundledPullWorker } from './bundledPullWorker.js';
import { openDatabase } from '../src/main/db/open.js';
import { searchPeople } from '../src/main/db/queries/people.js';
import { SyncEngine } from '../src/main/sync/engine.js';
import { LocalMutations } from '../src/main/sync/localMutations.js';
import { Session } from '../src/main/sync/session.js';
import { memoryTokenStore } from '../src/main/sync/tokenStore.js';
import { SYNC_TABLES } from '../src/shared/rows.js';
import { INSIGHT_TRIGGERS } from '../src/main/insight/derivedTables.js';
import { SEARCH_PREFIXES } from './prefixes.js';
import { summarize } from './stats.js';
import { ALL_COMMUNITIES } from './serverProcess.js';

const [url, dbFile, pushCountArg, mode] = process.argv.slice(2);
if (!url || !dbFile) throw new Error('usage: clientSync.ts <server url> <db file> [push count] [--without-insight]');
const pushCount = Number(pushCountArg ?? 10_000);
// The first sync as it was before the cohort-insight tables (issue 16), for a side-by-side figure:
// without their triggers nothing is deferred and nothing is rebuilt at the end.
const withoutInsight = mode === '--without-insight';

for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
const app = openDatabase(dbFile);
if (withoutInsight) for (const name of INSIGHT_TRIGGERS) app.sqlite.exec(`DROP TRIGGER "${name}"`);
const session = new Session(app, memoryTokenStore());
// The pull worker bundled, as the packaged app runs it (bundledPullWorker.ts).
const pullWorker = bundledPullWorker();
const engine = new SyncEngine({ app, session, pullLimit: Number(process.env.BENCH_PULL_LIMIT ?? 5000), ...(pullWorker ? { pullWorker } : {}) });
// As in the app (core/composeSync.ts), the engine exists before the sign-in, so a first sync's
// pull worker starts while the sign-in request is out (engine.ts, warmPullWorker).
// Every community (issue 13): this measures the unscoped first sync, as before scopes.
await session.signIn(url, ALL_COMMUNITIES.email, ALL_COMMUNITIES.password);

let phaseStarted = performance.now();
const phaseTimes: Record<string, number> = {};
let lastPhase = 'idle';
engine.onStatus((s) => {
  if (s.phase !== lastPhase) {
    const now = performance.now();
    phaseTimes[lastPhase] = (phaseTimes[lastPhase] ?? 0) + (now - phaseStarted);
    phaseStarted = now;
    lastPhase = s.phase;
  }
});

async function timedSync(): Promise<{ ms: number; phases: Record<string, number> }> {
  for (const k of Object.keys(phaseTimes)) delete phaseTimes[k];
  phaseStarted = performance.now();
  const t0 = performance.now();
  const s = await engine.syncNow();
  const ms = performance.now() - t0;
  if (s.phase === 'error' || s.error) throw new Error(`sync failed: ${s.error}`);
  return { ms, phases: { ...phaseTimes } };
}

// The probe: a search every 100 ms (one per keystroke of a fast typist; search-as-you-type
// sends no more); latency counts from when it was due, so time spent waiting
// for the event loop (a long transaction) is included, as it would be for an IPC request.
// At 25 ms (earlier runs) the probe itself took ~5 s of CPU during a large first sync on two
// cores, slowing the very sync it measures alongside; 100 ms is the rate a coordinator types.
const PROBE_EVERY_MS = 100;
const probeLatencies: number[] = [];
let probing = true;
let probeIndex = 0;
function scheduleProbe(): void {
  const due = performance.now() + PROBE_EVERY_MS;
  setTimeout(() => {
    if (!probing) return;
    const query = SEARCH_PREFIXES[probeIndex++ % SEARCH_PREFIXES.length]!;
    searchPeople(app, { query, roles: [], origins: [], limit: 100, after: null });
    probeLatencies.push(performance.now() - due);
    scheduleProbe();
  }, PROBE_EVERY_MS);
}

scheduleProbe();
const initial = await timedSync();
probing = false;
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const counts: Record<string, number> = {};
let rows = 0;
for (const t of SYNC_TABLES) {
  counts[t] = (app.sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
  rows += counts[t]!;
}
if (withoutInsight) {
  // Only the first sync is compared; the later phases would add rows to the server the main run measures.
  await engine.stop();
  app.close();
  process.stdout.write(JSON.stringify({ initial: { ms: initial.ms, rows, counts, peakRssMb, phases: initial.phases } }) + '\n');
  process.exit(0);
}

// Incremental: 100 new upstream actions, then one sync.
const someUsers = (app.sqlite.prepare('SELECT id FROM user ORDER BY id LIMIT 100').all() as { id: string }[]).map((r) => r.id);
const stamp = Date.now();
const ingest = await fetch(`${url}/v1/ingest/actions`, {
  method: 'POST',
  // The demo data's ingest key for segment (src/server/demo/loadDemo.ts): ingest takes an upstream key, not a session.
  headers: { 'content-type': 'application/json', authorization: 'Bearer demo-ingest-segment' },
  body: JSON.stringify({
    actions: someUsers.map((userId, i) => ({
      user_id: userId,
      action_type: 'viewed_module',
      target_type: 'module',
      target_id: `mod_bench_${i}`,
      metadata: { bench: true },
      source_system: 'segment',
      source_event_id: `bench-${stamp}-${i}`,
      occurred_at: new Date(stamp - i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    })),
  }),
});
if (!ingest.ok) throw new Error(`ingest failed: ${ingest.status} ${await ingest.text()}`);
const incremental = await timedSync();

// Push: N manual actions queued offline, then one sync (push, then the pull that brings them back).
const mutations = new LocalMutations(app, { getUserId: () => session.user()?.id ?? null });
const tq = performance.now();
for (let i = 0; i < pushCount; i++) {
  mutations.recordAction({
    userId: someUsers[i % someUsers.length]!,
    enrollmentId: null,
    actionType: 'answered_question',
    targetType: 'question',
    targetId: `q_bench_${i}`,
    metadata: { note: `bench ${i}` },
    occurredAt: new Date(stamp - i * 10).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
}
const queueMs = performance.now() - tq;
const push = await timedSync();
const pendingAfter = (app.sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
await engine.stop();
app.close();

process.stdout.write(
  JSON.stringify({
    initial: { ms: initial.ms, rows, counts, peakRssMb, phases: initial.phases },
    searchDuringSync: summarize(probeLatencies),
    incremental: { ms: incremental.ms, rows: someUsers.length },
    push: { ms: push.ms, pushPhaseMs: push.phases.pushing ?? null, queueMs, mutations: pushCount, pendingAfter },
  }) + '\n',
);
