import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

// A first pull writes a million actions in the server's order, which is not time order, so
// every insert lands at a random place in each index led by occurred_at. Once those indexes
// outgrow the page cache, each insert re-reads and re-writes index pages: a measured 108 µs a
// row (130 s for the large data set) against a few µs with them absent. Building an index
// once, from a full table, is a sort. So when a pull starts into an empty user_action table
// these indexes are dropped, and they are rebuilt when the pull is done.
//
// Crash safety: the dropped DDL is written to `setting` in the same transaction as the drops,
// and every pull that ends (this one, or the one that resumes after a kill) rebuilds whatever
// that row lists. Queries stay correct without the indexes, only slower, while the first
// pull is filling the table anyway.

const DEFERRABLE = ['user_action_time_idx', 'user_action_type_time_idx', 'user_action_source_time_idx', 'user_action_target_time_idx'];
const KEY = 'sync.deferredIndexes';

/** Drop the time-led user_action indexes if the table is empty; returns the names deferred. */
export function deferIndexesForBulkLoad(sqlite: Database.Database): string[] {
  return sqlite.transaction(() => {
    if (sqlite.prepare('SELECT 1 FROM user_action LIMIT 1').get()) return [];
    const present = sqlite
      .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (${DEFERRABLE.map(() => '?').join(', ')})`)
      .all(...DEFERRABLE) as { name: string; sql: string }[];
    if (present.length === 0) return [];
    const pending = new Map(readDeferred(sqlite).map((d) => [d.name, d.sql]));
    for (const p of present) pending.set(p.name, p.sql);
    sqlite
      .prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(KEY, JSON.stringify([...pending].map(([name, sql]) => ({ name, sql }))));
    for (const p of present) sqlite.exec(`DROP INDEX "${p.name}"`);
    return present.map((p) => p.name);
  })();
}

export function deferredIndexNames(sqlite: Database.Database): string[] {
  return readDeferred(sqlite).map((d) => d.name);
}

/**
 * Rebuild every deferred index. The build runs on a worker thread with its own connection so
 * the main process keeps answering searches meanwhile (WAL readers do not wait for it); where
 * a worker cannot load the native module (e.g. a different ABI) it runs here instead.
 */
export async function restoreDeferredIndexes(sqlite: Database.Database, opts: { useWorker?: boolean } = {}): Promise<string[]> {
  const deferred = readDeferred(sqlite);
  if (deferred.length === 0) return [];
  const ddl = deferred.map((d) => d.sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
  let built = false;
  if (opts.useWorker !== false && sqlite.name && sqlite.name !== ':memory:' && !sqlite.memory) {
    built = await buildOnWorker(sqlite.name, ddl).catch(() => false);
  }
  if (!built) for (const d of ddl) sqlite.exec(d);
  sqlite.prepare('DELETE FROM setting WHERE key = ?').run(KEY);
  return deferred.map((d) => d.name);
}

function readDeferred(sqlite: Database.Database): { name: string; sql: string }[] {
  const row = sqlite.prepare('SELECT value FROM setting WHERE key = ?').get(KEY) as { value: string } | undefined;
  if (!row) return [];
  try {
    const parsed = JSON.parse(row.value) as unknown;
    return Array.isArray(parsed)
      ? parsed.filter((d): d is { name: string; sql: string } => typeof d?.name === 'string' && typeof d?.sql === 'string' && DEFERRABLE.includes(d.name))
      : [];
  } catch {
    return [];
  }
}

// Plain CommonJS so the worker needs no TypeScript loader in any host.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
try {
  const Database = require(workerData.modulePath);
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 60000');
  db.pragma('cache_size = -32768'); // its memory counts in the app's RSS too
  for (const ddl of workerData.ddl) db.exec(ddl);
  parentPort.postMessage({ ok: true });
} catch (e) {
  parentPort.postMessage({ ok: false, message: String((e && e.message) || e) });
} finally {
  if (db) db.close();
}`;

function buildOnWorker(file: string, ddl: string[]): Promise<boolean> {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, ddl, modulePath } });
    worker.once('message', (m: { ok: boolean }) => resolve(m.ok));
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
}
