import { sql, type SQL } from 'drizzle-orm';
import type { Change, PullResponse } from '../../shared/protocol.js';
import { SYNC_TABLES, type SyncTable } from '../../shared/rows.js';
import type { Database, Tx } from '../db/database.js';
import { tableIdent, wireJson } from '../db/wireRows.js';
import { ApiError } from '../http/apiError.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { claimClient, readClient } from './syncClient.js';

// A pull page: every row of the six tables and every tombstone with seq > cursor, in seq
// order. Writers take seqs only while holding one advisory lock (writeLock.ts), so seq order
// is commit order and nothing can later commit "behind" a delivered seq: no skipped rows.
// The whole page (and lastMutationId) is read in one REPEATABLE READ snapshot.

const candidateSeqs = (from: bigint, take: number): SQL => {
  const parts = [
    ...SYNC_TABLES.map((t) => sql`(SELECT seq FROM ${tableIdent(t)} WHERE seq > ${from.toString()}::bigint ORDER BY seq LIMIT ${take})`),
    sql`(SELECT seq FROM tombstone WHERE seq > ${from.toString()}::bigint ORDER BY seq LIMIT ${take})`,
  ];
  return sql`SELECT seq::text AS seq FROM (${sql.join(parts, sql` UNION ALL `)}) s ORDER BY s.seq LIMIT ${take}`;
};

const pageRows = (from: bigint, to: bigint): SQL => {
  const range = sql`seq > ${from.toString()}::bigint AND seq <= ${to.toString()}::bigint`;
  const parts = [
    ...SYNC_TABLES.map(
      (t) => sql`SELECT seq, ${t}::text AS t, id, ${wireJson(t)} AS row FROM ${tableIdent(t)} WHERE ${range}`,
    ),
    sql`SELECT seq, table_name AS t, row_id AS id, NULL::json AS row FROM tombstone WHERE ${range}`,
  ];
  return sql`SELECT seq::text AS seq, t, id, row FROM (${sql.join(parts, sql` UNION ALL `)}) p ORDER BY p.seq`;
};

export async function pullPage(
  db: Database,
  userId: string,
  req: { clientId: string; cursor: string | null; limit: number },
): Promise<PullResponse> {
  const from = decodeCursor(req.cursor);
  // A pull is a use of the clientId too: the first user to use it owns it (PROTOCOL.md). The
  // claim touches only a server-side table, so it needs no place in the change order.
  await db.write((tx) => claimClient(tx, req.clientId, userId, { forUpdate: false }), { lock: false });
  return db.read(async (tx) => {
    const lastMutationId = await readClient(tx, req.clientId, userId);
    if (req.cursor !== null) await assertAboveTombstoneFloor(tx, from);
    const seqs = await tx.rows<{ seq: string }>(candidateSeqs(from, req.limit + 1));
    const hasMore = seqs.length > req.limit;
    const upTo = seqs.length === 0 ? from : BigInt(seqs[Math.min(seqs.length, req.limit) - 1]!.seq);
    const rows = upTo > from ? await tx.rows<{ seq: string; t: SyncTable; id: string; row: unknown }>(pageRows(from, upTo)) : [];
    const changes = rows.map(
      (r): Change => (r.row === null ? { table: r.t, op: 'delete', id: r.id } : ({ table: r.t, op: 'upsert', row: r.row } as Change)),
    );
    let remaining = 0;
    if (hasMore) {
      // An estimate for a progress bar: seqs also count superseded updates, so it errs high.
      const top = await tx.rows<{ last: string }>(sql`SELECT last_value::text AS last FROM change_seq`);
      const est = BigInt(top[0]?.last ?? '0') - upTo;
      remaining = est > 0n ? Number(est) : 1;
    }
    return { cursor: encodeCursor(upTo), hasMore, lastMutationId, remaining, changes };
  });
}

async function assertAboveTombstoneFloor(tx: Tx, from: bigint): Promise<void> {
  const r = await tx.rows<{ floor: string }>(sql`SELECT tombstone_floor::text AS floor FROM sync_meta WHERE id = 1`);
  if (from < BigInt(r[0]?.floor ?? '0'))
    throw new ApiError('resync_required', 'This device has been offline longer than the server keeps deletions; start a full resync.', {
      field: 'cursor',
    });
}
