import type Database from 'better-sqlite3';

// The connection runs with synchronous = NORMAL (db/open.ts): in WAL mode a power cut may then
// take back the last few commits, which costs nothing for pulled pages (the cursor goes back
// with them and they are fetched again). Two kinds of commit must not be taken back, because
// something outside this laptop already depends on them: a coordinator's change once the screen
// says it is saved, and the recorded answers of a push, which the next request acknowledges (the
// server then forgets them). Those commit with synchronous = FULL: the WAL is synced before
// the commit returns. Measured in docs/benchmarks.md (bench item 4).

/** Run `fn` as one IMMEDIATE transaction that is on disk when this returns. Must not be called inside a transaction. */
export function durably<T>(sqlite: Database.Database, fn: () => T): T {
  if (sqlite.inTransaction) return sqlite.transaction(fn).immediate();
  sqlite.pragma('synchronous = FULL');
  try {
    return sqlite.transaction(fn).immediate();
  } finally {
    sqlite.pragma('synchronous = NORMAL');
  }
}
