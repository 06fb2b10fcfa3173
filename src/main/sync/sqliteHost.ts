import type Database from 'better-sqlite3';

/**
 * What the sync code needs from the app database: the raw better-sqlite3 handle. The sync
 * engine talks SQL directly (prepared statements) because its hot paths apply hundreds of
 * thousands of rows; `AppDb` from src/main/db/open.ts satisfies this structurally.
 */
export interface SqliteHost {
  readonly sqlite: Database.Database;
}
