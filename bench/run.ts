// `npm run bench [-- --quick] [-- --json <file>] [-- --no-postgres]`
// Measures sync, search and timelines at scale and prints a table against the targets
// (docs/benchmarks.md). A benchmark, not a test: it reports, it does not assert.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pullAllPages, pullInterleaved } from './capturePages.js';
import { benchRoot, pristineHash } from './pristine.js';
import { bundlePullWorkerForChildren } from './bundledPullWorker.js';
import { login, SCOPED_COORDINATOR, startServerProcess } from './serverProcess.js';
import { round, summarize } from './stats.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, 'no-postgres': { type: 'boolean', default: false } },
  strict: true,
});
const size = values.quick ? 'small' : 'large';
const pushCount = values.quick ? 1000 : 10_000;
const root = benchRoot();
const log = (s: string) => process.stderr.write(`${s}\n`);

// The previous phase may leave ~1 GB of written pages for the kernel to flush, which would
// otherwise land in the next phase's time (runs of the floor varied 15-21 s without this).
function flushDirtyPages(): void {
  try {
    execFileSync('sync');
  } catch {
    // No `sync` command (Windows): the phases just run back to back.
  }
}

function runChild<T>(script: string, args: string[]): Promise<T> {
  flushDirtyPages();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return rej(new Error(`${script} exited with ${code}`));
      try {
        res(JSON.parse(last) as T);
      } catch {
        rej(new Error(`${script} printed no result: ${out.slice(-500)}`));
      }
    });
  });
}

async function pgliteServer() {
  const pristine = join(root, `pglite-${size}-${pristineHash()}.pristine`);
  const work = join(root, `pglite-${size}`);
  if (!existsSync(join(pristine, 'PG_VERSION'))) {
    log(`loading the ${size} demo data set into PGlite (first run only)…`);
    rmSync(pristine, { recursive: true, force: true });
    const t0 = Date.now();
    const s = await startServerProcess({ data: pristine, demo: size, log });
    await s.stop();
    log(`  loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  rmSync(work, { recursive: true, force: true });
  cpSync(pristine, work, { recursive: true });
  return startServerProcess({ data: work, demo: size, log });
}

const postgresBenchDb = (): string => `afh_bench_${size}_${pristineHash()}`;

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    // Named like the PGlite folder, by what shapes a loaded set: a database loaded by older
    // migrations or an older loader is dropped, never migrated in place or reused.
    const db = postgresBenchDb();
    const stale = await c.query('SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2', [`afh_bench_${size}%`, db]);
    for (const r of stale.rows as { datname: string }[]) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${db}`);
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface ClientResult {
  initial: { ms: number; rows: number; counts: Record<string, number>; peakRssMb: number; phases: Record<string, number> };
  searchDuringSync: { p50: number; p95: number; n: number };
  incremental: { ms: number; rows: number };
  push: { ms: number; pushPhaseMs: number | null; queueMs: number; mutations: number; pendingAfter: number };
}
interface InsightResult {
  cohorts: number;
  enrollments: number;
  meanMembersPerCohort: number;
  overview: P;
  page: P;
  atRisk: P;
  pageMax: number;
  atRiskMax: number;
  rebuildMs: number;
}
interface FloorResult {
  ms: number;
  rows: number;
  pages: number;
  peakRssMb: number;
}
interface ScopedResult {
  first: { ms: number; rows: number; counts: Record<string, number> };
  incremental: { ms: number; rows: number };
}
type P = { p50: number; p95: number; n: number };
interface QueryResult {
  members: number;
  search: P;
  searchRoleFilter: P;
  busiestMember: { id: string; actions: number };
  totalActions: number;
  timelineMember: P;
  timelineMemberFiltered: P;
  timelineAll: P;
  timelineAllFiltered: P;
  timelineAllSourceFiltered: P;
  peopleLastActive: P;
  peopleLastActiveRole: P;
  peopleLastActiveSearch: P;
  peopleJoined: P;
}

log(`AfH Coordinator benchmark — ${size} data set, ${cpus().length} cores, Node ${process.version}`);
// BENCH_WORKER=source: the sync children run the pull worker from source, through tsx.
if (process.env.BENCH_WORKER !== 'source') await bundlePullWorkerForChildren(join(root, 'pull-worker'));
const server = await pgliteServer();
let client: ClientResult, floor: FloorResult, queries: QueryResult, pglitePages: P, insight: InsightResult;
let withoutInsight: Pick<ClientResult, 'initial'>;
let scoped: ScopedResult, scopedPages: P, interleavedAllPages: P;
try {
  const token = await login(server.url);
  log('pulling every page once (server pull-page latency on PGlite; pages kept for the floor run)…');
  const pagesDir = join(root, `pages-${size}`);
  const capture = await pullAllPages({ url: server.url, token, limit: 5000, saveTo: pagesDir });
  pglitePages = summarize(capture.pageMs);
  log(`initial sync of ${capture.rows} rows into a fresh client, without the cohort-insight tables (for comparison)…`);
  withoutInsight = await runChild<Pick<ClientResult, 'initial'>>('bench/clientSync.ts', [
    server.url,
    join(root, `client-${size}-without-insight.sqlite`),
    String(pushCount),
    '--without-insight',
  ]);
  rmSync(join(root, `client-${size}-without-insight.sqlite`), { force: true });
  log(`initial sync of ${capture.rows} rows into a fresh client…`);
  client = await runChild<ClientResult>('bench/clientSync.ts', [server.url, join(root, `client-${size}.sqlite`), String(pushCount)]);
  log('floor: the same pages parsed and applied with no server…');
  floor = await runChild<FloorResult>('bench/floor.ts', [pagesDir, join(root, `floor-${size}.sqlite`)]);
  if (!process.env.BENCH_KEEP_PAGES) rmSync(pagesDir, { recursive: true, force: true });
  // Scoped sync (issue 13): the demo coordinator holds 10 of the large set's 200 cohorts.
  log('server pull-page latency of the scoped coordinator’s first sync (whole members, 5,000 rows a page)…');
  // Three passes (51 pages), each scoped page followed by an unscoped one: the ratio compares pages
  // served at the same time (bench/capturePages.ts, pullInterleaved).
  const side = await pullInterleaved({
    url: server.url,
    scopedToken: await login(server.url, SCOPED_COORDINATOR),
    allToken: token,
    limit: 5000,
    passes: 3,
  });
  scopedPages = summarize(side.scopedMs);
  interleavedAllPages = summarize(side.allMs);
  log('first sync of the scoped coordinator into a fresh client…');
  scoped = await runChild<ScopedResult>('bench/scopedSync.ts', [server.url, join(root, `client-${size}-scoped.sqlite`)]);
  rmSync(join(root, `client-${size}-scoped.sqlite`), { force: true });
  log('search and timeline latencies…');
  queries = await runChild<QueryResult>('bench/queries.ts', [join(root, `client-${size}.sqlite`)]);
  log('cohort insight latencies…');
  insight = await runChild<InsightResult>('bench/insight.ts', [join(root, `client-${size}.sqlite`)]);
} finally {
  await server.stop();
}

let postgresPages: P | null = null;
if (!values['no-postgres'] && (await postgresReachable())) {
  log(`server pull-page latency on PostgreSQL (loading the ${size} set on first run)…`);
  const s = await startServerProcess({ data: `postgres://postgres@127.0.0.1:5432/${postgresBenchDb()}`, demo: size, log });
  try {
    const token = await login(s.url);
    await pullAllPages({ url: s.url, token, limit: 5000, maxPages: 5 }); // warm-up
    postgresPages = summarize((await pullAllPages({ url: s.url, token, limit: 5000, maxPages: 60 })).pageMs);
  } finally {
    await s.stop();
  }
} else log('PostgreSQL not reachable (or --no-postgres): its pull-page figure is left out');

const syncS = client.initial.ms / 1000;
const insightSlowdown = (100 * (client.initial.ms - withoutInsight.initial.ms)) / withoutInsight.initial.ms;
const floorS = floor.ms / 1000;
type Row = [string, string, string, boolean | null];
const ms = (x: number) => `${round(x, 2)} ms`;
const full = size === 'large';
const rows: Row[] = [
  [
    '1. initial sync',
    `${round(syncS, 2)} s, ${Math.round(client.initial.rows / syncS).toLocaleString('en')} rows/s (${client.initial.rows.toLocaleString('en')} rows)`,
    '≤ 12 s',
    full ? syncS <= 12 : null,
  ],
  ['1. client peak RSS', `${round(client.initial.peakRssMb, 0)} MB`, '≤ 400 MB', full ? client.initial.peakRssMb <= 400 : null],
  [
    '2. floor (parse + insert)',
    `${round(floorS, 2)} s; ratio sync/floor ${round(syncS / floorS, 2)}×`,
    '≤ 1.5×',
    full ? syncS / floorS <= 1.5 : null,
  ],
  ['3. incremental sync (100 rows)', ms(client.incremental.ms), '≤ 150 ms', client.incremental.ms <= 150],
  [
    `4. push ${client.push.mutations.toLocaleString('en')} mutations`,
    `${round(client.push.ms / 1000, 2)} s sync (push phase ${client.push.pushPhaseMs === null ? 'n/a' : ms(client.push.pushPhaseMs)})`,
    '≤ 3 s',
    client.push.mutations >= 10_000 ? client.push.ms <= 3000 : null,
  ],
  [
    `5. search p50 / p95 (${queries.members.toLocaleString('en')} members)`,
    `${ms(queries.search.p50)} / ${ms(queries.search.p95)}`,
    'p95 ≤ 10 ms',
    queries.search.p95 <= 10,
  ],
  [
    '5. search + role filter p50 / p95',
    `${ms(queries.searchRoleFilter.p50)} / ${ms(queries.searchRoleFilter.p95)}`,
    'p95 ≤ 10 ms',
    queries.searchRoleFilter.p95 <= 10,
  ],
  [
    `6. timeline, member (${queries.busiestMember.actions.toLocaleString('en')} actions)`,
    `${ms(queries.timelineMember.p50)} / ${ms(queries.timelineMember.p95)}`,
    'p95 ≤ 5 ms',
    queries.timelineMember.p95 <= 5,
  ],
  [
    '6. timeline, member, filtered',
    `${ms(queries.timelineMemberFiltered.p50)} / ${ms(queries.timelineMemberFiltered.p95)}`,
    'p95 ≤ 5 ms',
    queries.timelineMemberFiltered.p95 <= 5,
  ],
  [
    `6. timeline, all (${queries.totalActions.toLocaleString('en')} actions)`,
    `${ms(queries.timelineAll.p50)} / ${ms(queries.timelineAll.p95)}`,
    'p95 ≤ 5 ms',
    queries.timelineAll.p95 <= 5,
  ],
  [
    '6. timeline, all, filtered',
    `${ms(queries.timelineAllFiltered.p50)} / ${ms(queries.timelineAllFiltered.p95)}`,
    'p95 ≤ 5 ms',
    queries.timelineAllFiltered.p95 <= 5,
  ],
  [
    '6. timeline, all, rare source',
    `${ms(queries.timelineAllSourceFiltered.p50)} / ${ms(queries.timelineAllSourceFiltered.p95)}`,
    'p95 ≤ 5 ms',
    queries.timelineAllSourceFiltered.p95 <= 5,
  ],
  ['9. people by last active, 20 pages deep', `${ms(queries.peopleLastActive.p50)} / ${ms(queries.peopleLastActive.p95)}`, '(100 a page)', null],
  ['9. people by last active, rare role', `${ms(queries.peopleLastActiveRole.p50)} / ${ms(queries.peopleLastActiveRole.p95)}`, '(100 a page)', null],
  ['9. people by last active, search', `${ms(queries.peopleLastActiveSearch.p50)} / ${ms(queries.peopleLastActiveSearch.p95)}`, '(first page)', null],
  ['9. people by joined, 20 pages deep', `${ms(queries.peopleJoined.p50)} / ${ms(queries.peopleJoined.p95)}`, '(100 a page)', null],
  ['7. server pull page, PGlite', `${ms(pglitePages.p50)} / ${ms(pglitePages.p95)}`, '(5,000 rows)', null],
  ['7. server pull page, PostgreSQL', postgresPages ? `${ms(postgresPages.p50)} / ${ms(postgresPages.p95)}` : 'not measured', '(5,000 rows)', null],
  [
    '8. search during initial sync',
    `${ms(client.searchDuringSync.p50)} / ${ms(client.searchDuringSync.p95)} (n=${client.searchDuringSync.n})`,
    'p95 ≤ 100 ms',
    client.searchDuringSync.p95 <= 100,
  ],
  [
    '9. initial sync without / with cohort tables',
    `${round(withoutInsight.initial.ms / 1000, 2)} s / ${round(syncS, 2)} s (${insightSlowdown >= 0 ? '+' : ''}${round(insightSlowdown, 1)}%)`,
    '≤ +10%',
    full ? insightSlowdown <= 10 : null,
  ],
  [
    `10. scoped first sync (${scoped.first.counts.user?.toLocaleString('en') ?? '?'} members)`,
    `${round(scoped.first.ms / 1000, 2)} s (${scoped.first.rows.toLocaleString('en')} rows)`,
    '≤ 2 s',
    full ? scoped.first.ms <= 2000 : null,
  ],
  [
    '10. scoped pull page / unscoped, p50, side by side',
    `${ms(scopedPages.p50)} / ${ms(interleavedAllPages.p50)} (${round(scopedPages.p50 / interleavedAllPages.p50, 2)}×)`,
    '≤ 1.5×',
    full ? scopedPages.p50 / interleavedAllPages.p50 <= 1.5 : null,
  ],
  [
    '10. the same scoped p50 / item 7 (an earlier moment)',
    `${ms(scopedPages.p50)} / ${ms(pglitePages.p50)} (${round(scopedPages.p50 / pglitePages.p50, 2)}×)`,
    '',
    null,
  ],
  ['10. scoped incremental sync (100 rows)', ms(scoped.incremental.ms), '≤ 150 ms', scoped.incremental.ms <= 150],
  [
    '9. of which: cohort tables rebuilt at its end',
    `${round(insight.rebuildMs / 1000, 2)} s (${round((100 * insight.rebuildMs) / client.initial.ms, 1)}% of the sync)`,
    '',
    null,
  ],
  [
    `9. Cohorts screen (${insight.cohorts} cohorts, ${insight.enrollments.toLocaleString('en')} enrollments)`,
    `${ms(insight.overview.p50)} / ${ms(insight.overview.p95)}`,
    'p95 ≤ 100 ms',
    insight.overview.p95 <= 100,
  ],
  [
    `9. cohort page, all parts (~${insight.meanMembersPerCohort} members)`,
    `${ms(insight.page.p50)} / ${ms(insight.page.p95)} (max ${ms(insight.pageMax)})`,
    'p95 ≤ 150 ms',
    insight.page.p95 <= 150,
  ],
  [
    '9. at-risk list',
    `${ms(insight.atRisk.p50)} / ${ms(insight.atRisk.p95)} (max ${ms(insight.atRiskMax)})`,
    'p95 ≤ 50 ms',
    insight.atRisk.p95 <= 50,
  ],
];
const w = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length)), Math.max(...rows.map((r) => r[2].length))];
const line = (r: Row) => `${r[0].padEnd(w[0]!)}  ${r[1].padEnd(w[1]!)}  ${r[2].padEnd(w[2]!)}  ${r[3] === null ? '' : r[3] ? 'met' : 'MISSED'}`;
process.stdout.write(`\n${line(['measure', 'result', 'target', null])}\n${rows.map(line).join('\n')}\n`);
if (!full) process.stdout.write('\n(--quick: small data set; the size-bound targets are judged on the large set only)\n');

if (values.json) {
  const report = {
    machine: { cores: cpus().length, node: process.version, cpu: cpus()[0]?.model ?? 'unknown' },
    dataSet: { size, rows: client.initial.counts, members: queries.members, actions: queries.totalActions, pushMutations: pushCount },
    when: new Date().toISOString(),
    results: {
      client,
      clientWithoutInsight: withoutInsight,
      floor,
      queries,
      insight,
      scoped,
      serverPullPage: { pglite: pglitePages, postgres: postgresPages, pgliteScoped: scopedPages, pgliteUnscopedBesideScoped: interleavedAllPages },
    },
    table: rows.map(([measure, result, target, met]) => ({ measure, result, target, met })),
  };
  mkdirSync(dirname(resolve(values.json)), { recursive: true });
  writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  log(`figures written to ${values.json}`);
}
