import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { deferInsightTriggers, insightRestoreScript } from '../insight/derivedTables.js';

// A first pull writes a million actions in the server's order, which is not time order, so
// every insert lands at a random place in each index led by occurred_at. Once those indexes
// outgrow the page cache, each insert re-reads and re-writes index pages: a measured 108 µs a
// row (130 s for the large data set) against a few µs with them absent. Building an index
// once, from a full table, is a sort. So when a pull starts into an empty user_action table
// these indexes are dropped, and they are rebuilt when the pull is done.
//
// Member search is the same story in small: the triggers that keep user_fts in step cost
// ~30 µs a member row (3 s for 100,000), where indexing the rows in bulk costs ~3 µs. When a
// pull starts into an empty user table those triggers are dropped too; every ~8,000 new
// members the page's transaction indexes them in one statement (catchUpMemberSearch), so a
// search during the first sync finds the members pulled so far, and at the end the triggers
// come back and the index is rebuilt from the table, exact whatever happened meanwhile.
//
// Crash safety: the dropped DDL is written to `bulk_load_deferred` (and the search watermark to
// `member_search_catch_up`; both tables are this module's alone) in the same transaction as the drops,
// and every pull that ends (this one, or the one that resumes after a kill) restores whatever
// that row lists. Queries stay correct without the indexes, only slower, while the first
// pull is filling the table anyway.

const DEFERRABLE_INDEXES = ['user_action_time_idx', 'user_action_type_time_idx', 'user_action_source_time_idx', 'user_action_target_time_idx'];
const SEARCH_TRIGGERS = ['user_fts_after_insert', 'user_fts_after_update', 'user_fts_after_delete'];
const DEFERRABLE = [...DEFERRABLE_INDEXES, ...SEARCH_TRIGGERS];
/** New member rows that wait for the search index; a batch this size costs ~30 ms to index. */
const SEARCH_CATCH_UP_ROWS = 8000;
const REBUILD_SEARCH = "INSERT INTO user_fts (user_fts) VALUES ('rebuild')";

type Deferred = { name: string; sql: string };

/**
 * Drop what a bulk load into empty tables is better off without: the time-led user_action
 * indexes if user_action is empty, the member-search triggers if user is. Returns the names.
 */
export function deferForBulkLoad(sqlite: Database.Database): string[] {
  return sqlite
    .transaction(() => {
      const empty = (table: string) => !sqlite.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get();
      // The cohort-insight triggers follow the same plan with their own record (src/main/insight/derivedTables.ts).
      if (empty('user_action')) deferInsightTriggers(sqlite);
      const names = [...(empty('user_action') ? DEFERRABLE_INDEXES : []), ...(empty('user') ? SEARCH_TRIGGERS : [])];
      if (names.length === 0) return [];
      const present = sqlite
        .prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND name IN (${names.map(() => '?').join(', ')})`)
        .all(...names) as { type: 'index' | 'trigger'; name: string; sql: string }[];
      if (present.length === 0) return [];
      const keep = sqlite.prepare('INSERT INTO bulk_load_deferred (name, sql) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET sql = excluded.sql');
      for (const p of present) keep.run(p.name, p.sql);
      if (present.some((p) => p.type === 'trigger')) {
        sqlite.prepare('INSERT INTO member_search_catch_up (id, watermark) VALUES (1, 0) ON CONFLICT(id) DO UPDATE SET watermark = 0').run();
      }
      for (const p of present) sqlite.exec(`DROP ${p.type === 'index' ? 'INDEX' : 'TRIGGER'} "${p.name}"`);
      return present.map((p) => p.name);
    })
    .immediate();
}

export function deferredNames(sqlite: Database.Database): string[] {
  return readDeferred(sqlite).map((d) => d.name);
}

/** While the member-search triggers are away: the last member rowid in the search index; null when they are in place. */
export function memberSearchWatermark(sqlite: Database.Database): number | null {
  const r = sqlite.prepare('SELECT watermark FROM member_search_catch_up WHERE id = 1').get() as { watermark: number } | undefined;
  return r ? r.watermark : null;
}

/**
 * While the search triggers are deferred: index the members added since the last catch-up,
 * once enough have piled up (or `force`). Runs inside the caller's page transaction.
 */
export function catchUpMemberSearch(sqlite: Database.Database, opts: { force?: boolean } = {}): number {
  const from = memberSearchWatermark(sqlite);
  if (from === null) return 0;
  // While the triggers are away, member rows are only ever added (a first pull inserts each
  // once), so rowids only grow and "rowid > watermark" is exactly the rows not yet indexed.
  const top = (sqlite.prepare('SELECT max(rowid) AS top FROM user').get() as { top: number | null }).top ?? 0;
  if (top - from < (opts.force ? 1 : SEARCH_CATCH_UP_ROWS)) return 0;
  const added = sqlite
    .prepare('INSERT INTO user_fts (rowid, name, email) SELECT rowid, name, email FROM user WHERE rowid > ? AND rowid <= ?')
    .run(from, top).changes;
  sqlite.prepare('UPDATE member_search_catch_up SET watermark = ? WHERE id = 1').run(top);
  return added;
}

/**
 * Restore everything deferred. Indexes and the search rebuild run on a worker thread with its
 * own connection so the main process keeps answering searches meanwhile (WAL readers do not
 * wait for it): `build`, the pull's own worker when it has one, else one started for it; where
 * neither can run (e.g. a worker that cannot load the native module) they run here instead.
 * The triggers come back in the same transaction as the rebuild, so no member write can fall
 * between them.
 */
export async function restoreDeferred(
  sqlite: Database.Database,
  opts: { useWorker?: boolean; build?: ((ddl: string[]) => Promise<boolean>) | undefined } = {},
): Promise<string[]> {
  const deferred = readDeferred(sqlite);
  const insight = insightRestoreScript(sqlite);
  if (deferred.length === 0 && !insight) return [];
  const ddl = deferred.filter((d) => DEFERRABLE_INDEXES.includes(d.name)).map((d) => d.sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
  const triggers = deferred.filter((d) => SEARCH_TRIGGERS.includes(d.name));
  if (triggers.length > 0) {
    const create = triggers.map((d) => `${d.sql.replace(/^CREATE TRIGGER /i, 'CREATE TRIGGER IF NOT EXISTS ')};`).join('\n');
    ddl.push(`BEGIN IMMEDIATE; ${create} ${REBUILD_SEARCH}; DELETE FROM member_search_catch_up; COMMIT;`);
  }
  if (insight) ddl.push(insight);
  let built = false;
  if (opts.build) built = await opts.build(ddl).catch(() => false);
  else if (opts.useWorker !== false && sqlite.name && sqlite.name !== ':memory:' && !sqlite.memory) {
    built = await buildOnWorker(sqlite.name, ddl).catch(() => false);
  }
  if (!built) for (const d of ddl) sqlite.exec(d);
  sqlite.prepare('DELETE FROM bulk_load_deferred').run();
  return deferred.map((d) => d.name);
}

function readDeferred(sqlite: Database.Database): Deferred[] {
  // Only names this module defers: the DDL is run as it is.
  return (sqlite.prepare('SELECT name, sql FROM bulk_load_deferred ORDER BY rowid').all() as Deferred[]).filter((d) => DEFERRABLE.includes(d.name));
}

/**
 * The connection settings a builder of the deferred indexes uses (this module's own thread, or the
 * pull's worker, pullWorkerMain.ts). Measured on the large set (4 indexes over 1 M actions): a
 * 4 MB cache and two sorter threads build in ~3 s where a 32 MB cache and none took ~5.5 s; the
 * sorter's runs stay small enough to merge fast, and the memory (which counts in the app's RSS)
 * is less.
 */
export const INDEX_BUILD_PRAGMAS: readonly string[] = ['cache_size = -4096', 'threads = 2'];

// Plain CommonJS so the worker needs no TypeScript loader in any host.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
try {
  const Database = require(workerData.modulePath);
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 60000');
  // Like every connection that writes the app's file (db/open.ts): what the rebuild frees is zeroed.
  db.pragma('secure_delete = ON');
  for (const p of workerData.pragmas) db.pragma(p);
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
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, ddl, modulePath, pragmas: INDEX_BUILD_PRAGMAS } });
    worker.once('message', (m: { ok: boolean }) => resolve(m.ok));
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
}
