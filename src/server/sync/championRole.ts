import { sql } from 'drizzle-orm';
import { rolesAfterStageChange } from '../../shared/stageRules.js';
import type { Tx } from '../db/database.js';

/** Apply the champion-role rule (docs/architecture.md, "Domain rules"): the `champion` role is held exactly while one of the user's rows is at stage champion. */
export async function syncChampionRole(tx: Tx, userId: string): Promise<void> {
  const r = await tx.rows<{ roles: string[]; active: boolean }>(
    sql`SELECT roles, EXISTS (SELECT 1 FROM champion WHERE user_id = ${userId} AND stage = 'champion') AS active
        FROM "user" WHERE id = ${userId} FOR UPDATE`,
  );
  const u = r[0];
  if (!u) return;
  const next = rolesAfterStageChange(u.roles, u.active);
  // Only write on a real change: an UPDATE would bump the user's seq and resend the row to every client.
  if (next.length !== u.roles.length || next.some((x, i) => x !== u.roles[i])) {
    await tx.rows(sql`UPDATE "user" SET roles = ${JSON.stringify(next)}::jsonb WHERE id = ${userId}`);
  }
}
