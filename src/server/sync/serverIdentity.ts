import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';
import { DomainError } from '../domainError.js';

// Which database this server holds (sync_meta.database_id) and its epochs (sync_epoch): see
// docs/protocol.md, "identity of client and server".

export async function readDatabaseId(tx: Tx): Promise<string> {
  const r = await tx.rows<{ id: string }>(sql`SELECT database_id::text AS id FROM sync_meta WHERE id = 1`);
  const id = r[0]?.id;
  if (!id) throw new Error('sync_meta has no row: the server migrations did not run');
  return id;
}

/** A request that names the database its state came from must be talking to that database. */
export async function assertSameDatabase(tx: Tx, expected: string | null): Promise<string> {
  const id = await readDatabaseId(tx);
  if (expected !== null && expected !== id) {
    throw new DomainError(
      'database_changed',
      'This server holds a different database than the one this laptop synced with; sign in again to start over with it.',
      { field: 'databaseId' },
    );
  }
  return id;
}

/**
 * A new epoch at every server start: a change_seq value taken under the writers' lock, so it
 * lies above every change committed before and below every change committed after.
 */
export async function startEpoch(db: Database): Promise<void> {
  await db.write((tx) => tx.rows(sql`INSERT INTO sync_epoch (start_seq) VALUES (nextval('change_seq'))`));
}
