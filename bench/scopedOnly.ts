// `npx tsx bench/scopedOnly.ts [--quick] [--unscoped-pages N] [--rounds N]`
// Item 10 alone (docs/benchmarks.md), in the order `npm run bench` measures it: the unscoped
// pull pages first (item 7's figure, the baseline of the ratio), then the scoped coordinator's
// server pages, then its first and incremental sync in a fresh client. For working on scoped
// sync without running the whole bench; the same pristine data folder as bench/run.ts.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pullAllPages, pullInterleaved } from './capturePages.js';
import { benchRoot, pristineHash } from './pristine.js';
import { bundlePullWorkerForChildren } from './bundledPullWorker.js';
import { login, SCOPED_COORDINATOR, startServerProcess } from './serverProcess.js';
import { round, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'unscoped-pages': { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
  strict: true,
});
const size = values.quick ? 'small' : 'large';
const root = benchRoot();
const log = (s: string) => process.stderr.write(`${s}\n`);

const pristine = join(root, `pglite-${size}-${pristineHash()}.pristine`);
if (!existsSync(join(pristine, 'PG_VERSION'))) {
  log(`loading the ${size} demo data set into PGlite (first run only)…`);
  rmSync(pristine, { recursive: true, force: true });
  const s = await startServerProcess({ data: pristine, demo: size, log });
  await s.stop();
}
const work = join(root, `pglite-${size}-scoped`);
rmSync(work, { recursive: true, force: true });
cpSync(pristine, work, { recursive: true });
// BENCH_WORKER=source: the sync children run the pull worker from source, through tsx.
if (process.env.BENCH_WORKER !== 'source') await bundlePullWorkerForChildren(join(root, 'pull-worker'));
const server = await startServerProcess({ data: work, demo: size, log });

const runChild = (
  args: string[],
): Promise<{ first: { ms: number; rows: number; pages: { n: number; firstMs: number; lastMs: number } }; incremental: { ms: number } }> =>
  new Promise((res, rej) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/scopedSync.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? res(JSON.parse(out.trim().split('\n').pop() ?? '')) : rej(new Error(`scopedSync exited with ${code}`))));
  });

try {
  const maxPages = values['unscoped-pages'] === undefined ? undefined : Number(values['unscoped-pages']);
  const allToken = await login(server.url);
  const unscoped = summarize((await pullAllPages({ url: server.url, token: allToken, limit: 5000, maxPages })).pageMs);
  for (let r = 0; r < Number(values.rounds); r++) {
    // As bench/run.ts measures it: three passes, each scoped page followed by an unscoped one.
    const side = await pullInterleaved({
      url: server.url,
      scopedToken: await login(server.url, SCOPED_COORDINATOR),
      allToken,
      limit: 5000,
      passes: 3,
    });
    const scoped = summarize(side.scopedMs);
    const beside = summarize(side.allMs);
    const db = join(root, `client-${size}-scoped-only.sqlite`);
    const sync = await runChild([server.url, db]);
    for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    process.stdout.write(
      `${JSON.stringify({
        round: r + 1,
        unscopedPageP50: round(unscoped.p50, 1),
        scopedPageP50: round(scoped.p50, 1),
        scopedPageSamples: scoped.n,
        unscopedBesideP50: round(beside.p50, 1),
        ratio: round(scoped.p50 / beside.p50, 2),
        ratioToFirstUnscoped: round(scoped.p50 / unscoped.p50, 2),
        firstSyncMs: round(sync.first.ms, 0),
        rows: sync.first.rows,
        clientPages: sync.first.pages.n,
        firstPageAppliedMs: round(sync.first.pages.firstMs, 0),
        lastPageAppliedMs: round(sync.first.pages.lastMs, 0),
        incrementalMs: round(sync.incremental.ms, 1),
      })}\n`,
    );
  }
} finally {
  await server.stop();
}
