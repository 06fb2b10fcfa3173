import Database from 'better-sqlite3';

// The settings of every read-write connection to the app database, and the second writer a
// big pull opens on its worker thread (pullWorkerMain.ts). Apart from open.ts on purpose: the
// worker imports only this, not drizzle and the schema. Those made the bundled worker start in
// 319–398 ms instead of 245–301 (measured on this machine), and a first sync waits for it.

/** The connection settings every read-write connection to the app database uses. */
export function configureWriter(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // The default 2 MB page cache thrashes once user_action's eight indexes outgrow it (a
  // million actions is several hundred MB): a first sync spent much of its time re-reading
  // index pages. 64 MB keeps the hot index pages resident, well inside the memory budget.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  // A pull page may hold a row whose referenced row arrives in a later page.
  sqlite.pragma('foreign_keys = OFF');
  // INSERT OR REPLACE deletes the old row implicitly; only with recursive triggers does
  // that delete reach user_fts, which would otherwise keep a stale entry for the old rowid.
  sqlite.pragma('recursive_triggers = ON');
  // A deleted row (an erased member) is overwritten with zeros, not left in a free page or
  // in the free space of its old page until something happens to reuse it.
  sqlite.pragma('secure_delete = ON');
}

/**
 * A second read-write connection to a database that openDatabase has already created and
 * migrated, with the same settings: the pull worker writes pages through one while the main
 * thread keeps its own for searches and local edits (SQLite takes turns between writers).
 */
export function openWriterPeer(file: string, options: { nativeBinding?: string } = {}): Database.Database {
  const sqlite = new Database(file, { fileMustExist: true, ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}) });
  try {
    configureWriter(sqlite);
    return sqlite;
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
