import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { narrowIfPresent, ensurePrivateFile } from '../localData/privateFiles.js';
import { switchToIncrementalAutoVacuum } from './autoVacuum.js';
import { refuseNewerRelease } from './releaseCheck.js';
import * as schema from './schema.js';
import { ensureSyncState, readClientId } from './syncState.js';
import { configureWriter } from './writerConnection.js';

type AppSchema = typeof schema;

/** The local database as the main-process core holds it (a big pull adds a second writer on a worker: writerConnection.ts). */
export interface AppDb {
  sqlite: Database.Database;
  db: BetterSQLite3Database<AppSchema>;
  file: string;
  close(): void;
}

export interface OpenOptions {
  /** Folder holding drizzle/client's migrations; a packaged app passes its own. */
  migrationsFolder?: string;
  /** better-sqlite3's compiled addon to load (the Electron host's build for Electron's ABI). */
  nativeBinding?: string;
  /** Told once when an older file is rewritten to reclaim space in steps (./autoVacuum.ts). */
  log?: (line: string) => void;
}

/**
 * The migrations that ship with this checkout. Found by walking up from this module rather
 * than from the working directory, so that the source (src/main/db), a bundle (out/main)
 * and a test run all find the same folder.
 */
export function defaultMigrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'drizzle', 'client');
    if (existsSync(join(candidate, 'meta', '_journal.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error('cannot find the drizzle/client migrations folder; pass { migrationsFolder } to openDatabase');
    }
    dir = parent;
  }
}

function wrap(sqlite: Database.Database, file: string): AppDb {
  const db = drizzle(sqlite, { schema });
  return {
    sqlite,
    db,
    file,
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/** SQLite creates files 0644; the database is made 0600 first, and its -wal and -shm take its mode. */
function prepareFiles(file: string): void {
  ensurePrivateFile(file);
  for (const suffix of ['-wal', '-shm', '-journal']) narrowIfPresent(file + suffix);
}

/**
 * Opens (creating if needed) the local database, brings it to the latest migration and
 * makes sure this install has its client id. Safe to call on a file that is already current.
 */
export function openDatabase(file: string, options: OpenOptions = {}): AppDb {
  if (file !== ':memory:') prepareFiles(file);
  const sqlite = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    const migrationsFolder = options.migrationsFolder ?? defaultMigrationsFolder();
    // Before any pragma or migration writes to it: a newer release's file is left exactly as it was.
    refuseNewerRelease(sqlite, file, migrationsFolder);
    // Only takes effect before the first table exists, and before the switch to WAL: a new
    // file reclaims free pages in steps from the start (maintenance.ts); an older one switches below.
    sqlite.pragma('auto_vacuum = INCREMENTAL');
    configureWriter(sqlite);
    const app = wrap(sqlite, resolve(file));
    migrate(app.db, { migrationsFolder });
    // Plain SQL naming only the columns every migration has had: a packaged app may open a file
    // with an older migrations folder (tests do), where drizzle would list every column it knows.
    ensureSyncState(sqlite);
    const sw = switchToIncrementalAutoVacuum(sqlite);
    if (sw.switched) options.log?.(`[db] rewrote the local database once so free space can be reclaimed in steps (${Math.round(sw.ms)} ms)`);
    return app;
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

/**
 * A second, read-only connection to a database that openDatabase has already created and
 * migrated (e.g. for a reader that must not wait behind the writer). WAL lets it read while
 * the writer writes.
 */
export function openReadOnly(file: string, options: Pick<OpenOptions, 'nativeBinding'> = {}): AppDb {
  const sqlite = new Database(file, {
    readonly: true,
    fileMustExist: true,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  sqlite.pragma('busy_timeout = 5000');
  return wrap(sqlite, resolve(file));
}

/** This install's client id (sync_state row 1, made on first open). */
export function clientIdOf(app: AppDb): string {
  const clientId = readClientId(app.sqlite);
  if (clientId === null) throw new Error('sync_state row is missing: open the database with openDatabase');
  return clientId;
}
