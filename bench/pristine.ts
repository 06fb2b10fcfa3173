import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the bench keeps its data sets, pages and client files (created on first use). */
export function benchRoot(): string {
  const root = resolve('.data/bench');
  mkdirSync(root, { recursive: true });
  return root;
}

// The server's data folder is loaded once and kept pristine; every run works on a copy, so
// the rows the benchmark itself adds (ingest, pushed mutations) never pile up across runs.
// Its name carries a hash of what shapes the loaded folder (the server migrations and the demo
// loader): after a change the set is loaded fresh, as a new install would be, instead of each
// run migrating the old copy (for 1.2 M rows, a long backfill every time) or reusing a folder
// the loader would now leave differently (e.g. vacuumed).
export const pristineHash = (): string => {
  const h = createHash('sha256');
  for (const dir of ['drizzle/server', 'src/server/demo']) {
    const abs = resolve(dir);
    for (const f of readdirSync(abs)
      .filter((n) => (n.endsWith('.sql') || n.endsWith('.ts')) && !n.endsWith('.test.ts'))
      .sort()) {
      h.update(`${dir}/${f}`).update(readFileSync(join(abs, f)));
    }
  }
  return h.digest('hex').slice(0, 10);
};
