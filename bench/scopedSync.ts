// Child process: the first sync of a coordinator scoped to a few communities (issue 13: 10 of the
// large set's 200 cohorts), into a fresh client database, end to end over loopback HTTP as the app
// does it (SyncEngine: sign-in excluded, every page and the end-of-sync rebuilds included). Then
// an incremental sync after 100 new actions in the coordinator's communities. Prints one JSON line.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { bundledPullWorker } from './bundledPullWorker.js';
import { openDatabase } from '../src/main/db/open.js';
import { SyncEngine } from '../src/main/sync/engine.js';
import { Session } from '../src/main/sync/session.js';
import { memoryTokenStore } from '../src/main/sync/tokenStore.js';
import { SYNC_TABLES } from '../src/shared/rows.js';
import { SCOPED_COORDINATOR } from './serverProcess.js';

const [url, dbFile] = process.argv.slice(2);
if (!url || !dbFile) throw new Error('usage: scopedSync.ts <server url> <db file>');
for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
const app = openDatabase(dbFile);
const session = new Session(app, memoryTokenStore());
// The pull worker bundled, as the packaged app runs it (bundledPullWorker.ts).
const pullWorker = bundledPullWorker();
const engine = new SyncEngine({ app, session, pullLimit: Number(process.env.BENCH_PULL_LIMIT ?? 5000), ...(pullWorker ? { pullWorker } : {}) });
// As in the app (core/composeSync.ts), the engine exists before the sign-in, so a first sync's
// pull worker starts while the sign-in request is out (engine.ts, warmPullWorker).
await session.signIn(url, SCOPED_COORDINATOR.email, SCOPED_COORDINATOR.password);

// When each page was applied: the first sync's time splits into pages (server and apply,
// overlapped) and what follows the last page (indexes, member search and insight tables rebuilt).
let pageTimes: number[] = [];
engine.onStatus((s) => {
  if (s.progress && s.progress.pagesDone > pageTimes.length) pageTimes.push(performance.now());
});
let t0 = 0;
const timed = async () => {
  pageTimes = [];
  t0 = performance.now();
  const s = await engine.syncNow();
  if (s.phase === 'error' || s.error) throw new Error(`sync failed: ${s.error}`);
  return performance.now() - t0;
};
const firstMs = await timed();
const pages = { n: pageTimes.length, firstMs: (pageTimes[0] ?? t0) - t0, lastMs: (pageTimes[pageTimes.length - 1] ?? t0) - t0 };
const counts = Object.fromEntries(SYNC_TABLES.map((t) => [t, (app.sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n]));
const rows = Object.values(counts).reduce((a, b) => a + b, 0);

// 100 new actions for members this laptop holds, through the demo's segment ingest key.
const members = (app.sqlite.prepare('SELECT id FROM "user" ORDER BY id LIMIT 100').all() as { id: string }[]).map((r) => r.id);
const stamp = Date.now();
const res = await fetch(`${url}/v1/ingest/actions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer demo-ingest-segment' },
  body: JSON.stringify({
    actions: members.map((m, i) => ({
      user_id: m,
      action_type: 'viewed_module',
      source_system: 'segment',
      source_event_id: `bench-scoped-${stamp}-${i}`,
      occurred_at: new Date().toISOString(),
    })),
  }),
});
if (!res.ok) throw new Error(`ingest failed: ${res.status}`);
const incrementalMs = await timed();
await engine.stop();
app.close();
process.stdout.write(
  `${JSON.stringify({ first: { ms: firstMs, rows, counts, pages }, incremental: { ms: incrementalMs, rows: members.length } })}\n`,
);
