import type Database from 'better-sqlite3';
import { newestShippedMigration } from '../../shared/migrationJournal.js';

/**
 * A data folder last opened by a newer release of the app holds tables this release does
 * not know. Migrating it "forward" would do nothing, and writing to it with this release's
 * statements could corrupt what the newer one relies on: the file is refused instead, with
 * words a coordinator can act on, and nothing in it is touched.
 */
export class DatabaseFromNewerReleaseError extends Error {
  constructor(
    readonly file: string,
    readonly newestApplied: number,
    readonly newestKnown: number,
  ) {
    super(
      `The local data in ${file} was last used by a newer version of AfH Coordinator. ` +
        'Install that version again (or a later one) to keep its unsynced changes; this version will not open it.',
    );
    this.name = 'DatabaseFromNewerReleaseError';
  }
}

/** Throws DatabaseFromNewerReleaseError when the file has a migration newer than any this release ships. */
export function refuseNewerRelease(sqlite: Database.Database, file: string, migrationsFolder: string): void {
  const hasTable = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  if (!hasTable) return;
  const row = sqlite.prepare('SELECT MAX(created_at) AS newest FROM __drizzle_migrations').get() as { newest: number | null };
  const applied = Number(row.newest ?? 0);
  const known = newestShippedMigration(migrationsFolder);
  if (applied > known) throw new DatabaseFromNewerReleaseError(file, applied, known);
}
