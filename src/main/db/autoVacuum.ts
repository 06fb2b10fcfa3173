import type Database from 'better-sqlite3';

// Free pages are reclaimed in small steps (./maintenance.ts), which needs auto_vacuum =
// INCREMENTAL. A new file gets it before its first table (openDatabase sets it first); a file
// made by an earlier release has auto_vacuum off and switches only through one VACUUM, a full
// rewrite of the file. Measured on the large demo set (a 600 MB file, 1.2 M rows): about 11 s
// and ~220 MB of memory with the temporary copy on disk (~760 MB if it were kept in memory,
// which is why temp_store is switched to FILE for it), plus ~0.5 s to rebuild member search.
// It runs once, at the first start of this release.

const AUTO_VACUUM_INCREMENTAL = 2;

/** user has no INTEGER PRIMARY KEY, so VACUUM may renumber its rowids, which user_fts follows. */
const REBUILD_SEARCH = "INSERT INTO user_fts (user_fts) VALUES ('rebuild')";

interface AutoVacuumSwitch {
  switched: boolean;
  /** Why it did not switch this time, when it did not. */
  postponed?: string;
  ms: number;
}

/** Whether the member-search triggers are in place (a first pull drops them until it ends). */
function searchTriggersPresent(sqlite: Database.Database): boolean {
  const row = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'user_fts_after_%'").get() as {
    n: number;
  };
  return row.n === 3;
}

/**
 * Brings an existing file to auto_vacuum = INCREMENTAL. Call after the migrations, with no
 * transaction open. A first pull interrupted midway (its search index is being built by rowid)
 * is left alone: the switch happens at a later start, once that pull has finished.
 */
export function switchToIncrementalAutoVacuum(sqlite: Database.Database): AutoVacuumSwitch {
  const started = performance.now();
  if (sqlite.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL) return { switched: false, ms: 0 };
  if (!searchTriggersPresent(sqlite)) return { switched: false, postponed: 'a first sync is still being written', ms: 0 };
  const tempStore = sqlite.pragma('temp_store', { simple: true }) as number;
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('temp_store = FILE');
  try {
    sqlite.exec('VACUUM');
  } finally {
    sqlite.pragma(`temp_store = ${Number(tempStore)}`);
  }
  sqlite.exec(REBUILD_SEARCH);
  // The rewrite went through the WAL (as large as the file); give that space back now.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return { switched: true, ms: performance.now() - started };
}
