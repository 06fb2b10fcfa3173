// Child process: the floor under initial sync. The very pages the server sent, read from
// disk, parsed from JSON and applied with the same statements into a fresh database of the
// same schema: no server, no network, no validation. Sync time / this = the sync overhead.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/main/db/open.js';
import { PullPageApplier } from '../src/main/sync/applyPullPage.js';
import { deferForBulkLoad, restoreDeferred } from '../src/main/sync/bulkLoad.js';
import type { PullResponse } from '../src/shared/protocol.js';

const [pagesDir, dbFile] = process.argv.slice(2);
if (!pagesDir || !dbFile) throw new Error('usage: floor.ts <pages dir> <db file>');
for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
const app = openDatabase(dbFile);
const applier = new PullPageApplier(app.sqlite);
const files = readdirSync(pagesDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
let rows = 0;
let readMs = 0;
const t0 = performance.now();
// The same bulk-load plan as a first sync: time-led indexes and member search built once at the end.
deferForBulkLoad(app.sqlite);
for (const f of files) {
  // Reading the file is not part of the floor (the sync gets its bytes from the socket).
  const tr = performance.now();
  const text = readFileSync(join(pagesDir, f), 'utf8');
  readMs += performance.now() - tr;
  const page = JSON.parse(text) as PullResponse;
  rows += applier.apply(page).rowsApplied;
}
await restoreDeferred(app.sqlite);
const ms = performance.now() - t0 - readMs;
app.close();
process.stdout.write(JSON.stringify({ ms, rows, pages: files.length, peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
