import { newestShippedMigration } from '../../shared/migrationJournal.js';

/**
 * A server database last migrated by a newer release of the server has tables and rules
 * this release does not know; serving clients from it could hand them rows in a shape they
 * never agreed to. Start-up stops with this instead, before any migration runs.
 */
export class ServerDatabaseFromNewerReleaseError extends Error {
  constructor(
    readonly newestApplied: number,
    readonly newestKnown: number,
  ) {
    super('This database was last used by a newer release of the AfH sync server; start that release (or a later one) instead. Nothing was changed.');
    this.name = 'ServerDatabaseFromNewerReleaseError';
  }
}

interface Queries {
  query(text: string): Promise<{ rows: unknown[] }>;
}

export async function refuseNewerServerRelease(db: Queries, migrationsFolder: string): Promise<void> {
  const exists = (await db.query("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present")).rows[0] as { present: boolean };
  if (!exists.present) return;
  const row = (await db.query('SELECT MAX(created_at)::text AS newest FROM drizzle.__drizzle_migrations')).rows[0] as { newest: string | null };
  const applied = Number(row.newest ?? 0);
  const known = newestShippedMigration(migrationsFolder);
  if (applied > known) throw new ServerDatabaseFromNewerReleaseError(applied, known);
}
