import { sql } from 'drizzle-orm';
import type { Database } from './db/database.js';
import { ApiError } from './http/apiError.js';

/**
 * Erase a member (superadmin): their actions, champion rows with their history, enrollments
 * and the user row, in one transaction. Each delete leaves a tombstone, so every client drops
 * the rows on its next pull. Returns how many rows went, per table.
 */
export async function eraseUser(db: Database, userId: string): Promise<Record<string, number>> {
  return db.write(async (tx) => {
    const u = await tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${userId} FOR UPDATE`);
    if (u.length === 0) throw new ApiError('not_found', `There is no member ${userId}.`);
    const count = async (q: ReturnType<typeof sql>) => (await tx.rows<{ n: number }>(sql`WITH d AS (${q} RETURNING 1) SELECT count(*)::int AS n FROM d`))[0]?.n ?? 0;
    return {
      user_action: await count(sql`DELETE FROM user_action WHERE user_id = ${userId}`),
      champion_stage_change: await count(
        sql`DELETE FROM champion_stage_change WHERE champion_id IN (SELECT id FROM champion WHERE user_id = ${userId})`,
      ),
      champion: await count(sql`DELETE FROM champion WHERE user_id = ${userId}`),
      enrollment: await count(sql`DELETE FROM enrollment WHERE user_id = ${userId}`),
      user: await count(sql`DELETE FROM "user" WHERE id = ${userId}`),
    };
  });
}
