import { sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { DomainError } from '../domainError.js';

/**
 * A clientId belongs to the user whose token first used it (docs/protocol.md). Registers it on
 * first use and returns its lastMutationId; another user's token gets 403.
 */
export async function claimClient(tx: Tx, clientId: string, userId: string, opts: { forUpdate: boolean }): Promise<number> {
  await tx.rows(sql`INSERT INTO sync_client (client_id, user_id) VALUES (${clientId}, ${userId}) ON CONFLICT (client_id) DO NOTHING`);
  const r = await tx.rows<{ user_id: string; last: number }>(
    opts.forUpdate
      ? sql`SELECT user_id, last_mutation_id::float8 AS last FROM sync_client WHERE client_id = ${clientId} FOR UPDATE`
      : sql`SELECT user_id, last_mutation_id::float8 AS last FROM sync_client WHERE client_id = ${clientId}`,
  );
  const c = r[0];
  if (!c) throw new Error('sync_client row missing after insert');
  if (c.user_id !== userId)
    throw new DomainError('forbidden', 'This clientId belongs to another user; sign in as that user or reset local data.', { field: 'clientId' });
  return c.last;
}

/** For pull (read-only snapshot): the lastMutationId, 0 for a client that has never pushed; 403 if another user's. */
export async function readClient(tx: Tx, clientId: string, userId: string): Promise<number> {
  const r = await tx.rows<{ user_id: string; last: number }>(
    sql`SELECT user_id, last_mutation_id::float8 AS last FROM sync_client WHERE client_id = ${clientId}`,
  );
  const c = r[0];
  if (!c) return 0;
  if (c.user_id !== userId)
    throw new DomainError('forbidden', 'This clientId belongs to another user; sign in as that user or reset local data.', { field: 'clientId' });
  return c.last;
}
