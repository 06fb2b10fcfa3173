import { sql } from 'drizzle-orm';
import type { Database } from '../db/database.js';

/**
 * Drop tombstones older than the retention period and raise the floor to the newest one
 * dropped: a client whose cursor is below the floor may have missed a delete, so pull answers
 * it with resync_required instead of silently leaving a deleted row on the laptop.
 */
export async function pruneTombstones(db: Database, retentionDays: number): Promise<{ pruned: number; floor: string }> {
  return db.write(async (tx) => {
    const r = await tx.rows<{ pruned: number; floor: string }>(
      sql`WITH t AS (DELETE FROM tombstone WHERE deleted_at <= now() - make_interval(secs => ${retentionDays * 86400}) RETURNING seq),
               -- Scope events are deletes too (a member leaving a laptop): the same floor covers them.
               e AS (DELETE FROM scope_event WHERE created_at <= now() - make_interval(secs => ${retentionDays * 86400}) RETURNING seq),
               d AS (SELECT seq FROM t UNION ALL SELECT seq FROM e),
               u AS (UPDATE sync_meta SET tombstone_floor = GREATEST(tombstone_floor, COALESCE((SELECT max(seq) FROM d), 0))
                     WHERE id = 1 RETURNING tombstone_floor)
          SELECT (SELECT count(*) FROM t)::int AS pruned, (SELECT tombstone_floor::text FROM u) AS floor`,
    );
    return r[0] ?? { pruned: 0, floor: '0' };
  });
}
