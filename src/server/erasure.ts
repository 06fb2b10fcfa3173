import { sql, type SQL } from 'drizzle-orm';
import type { Database, Tx } from './db/database.js';
import { emailKey } from './auth/loginThrottle.js';
import { DomainError } from './domainError.js';

/** What an erasure log entry says: ids, a time and counts — never a name or an email. */
export interface ErasureLogEntry {
  id: string;
  userId: string;
  erasedBy: string;
  erasedAt: string;
  removed: Record<string, number>;
}

const REDACTED = '[erased member]';

/**
 * Erase a member (superadmin), in one transaction, everywhere the server keeps them:
 * - their synced rows (actions, champion rows with their history, enrollments, the user row);
 *   each delete leaves a tombstone, so every client drops the rows on its next pull;
 * - their credential, sessions, devices and sync clients (with those clients' remembered
 *   outcomes), by the foreign keys' cascade;
 * - failed-login rows keyed by their email (the throttle keys on the address string);
 * - other clients' remembered push outcomes whose `current` row names them (a refusal carries
 *   the row it refused): the row is dropped from the answer, the verdict kept, so a resend is
 *   still answered the same way;
 * - their name or email inside other champions' notes and stage-change reasons (a coordinator
 *   may have written about them), replaced with "[erased member]" — a synced update, so laptops
 *   get the redacted text on their next pull — and in other users' device names.
 * Then it logs who erased which id, when, and how many rows went. Returns the counts.
 */
export async function eraseUser(db: Database, userId: string, erasedBy = 'unknown'): Promise<Record<string, number>> {
  return db.write(async (tx) => {
    const u = await tx.rows<{ email: string; name: string }>(sql`SELECT email, name FROM "user" WHERE id = ${userId} FOR UPDATE`);
    if (u.length === 0) throw new DomainError('not_found', `There is no member ${userId}.`);
    const { email, name } = u[0]!;
    const count = async (q: SQL) => (await tx.rows<{ n: number }>(sql`WITH d AS (${q} RETURNING 1) SELECT count(*)::int AS n FROM d`))[0]?.n ?? 0;
    // Matches text naming the member. A name shorter than 3 characters would match too much to be a mention of them.
    const mentions = (col: SQL) => {
      const parts = [sql`strpos(lower(${col}), lower(${userId})) > 0`, sql`strpos(lower(${col}), ${emailKey(email)}) > 0`];
      if (name.trim().length >= 3) parts.push(sql`strpos(lower(${col}), lower(${name})) > 0`);
      return sql.join(parts, sql` OR `);
    };
    // Any case ("ZEB QUIBBLE" in a note matches too): a regular expression of the literal text, flags g and i.
    const literal = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = [email, ...(name.trim().length >= 3 ? [name] : [])].map(literal).join('|');
    const redact = (col: SQL) => sql`regexp_replace(${col}, ${pattern}, ${REDACTED}, 'gi')`;

    const removed: Record<string, number> = {
      user_action: await count(sql`DELETE FROM user_action WHERE user_id = ${userId}`),
      champion_stage_change: await count(
        sql`DELETE FROM champion_stage_change WHERE champion_id IN (SELECT id FROM champion WHERE user_id = ${userId})`,
      ),
      champion: await count(sql`DELETE FROM champion WHERE user_id = ${userId}`),
      enrollment: await count(sql`DELETE FROM enrollment WHERE user_id = ${userId}`),
      session: await countRows(tx, sql`SELECT 1 FROM session WHERE user_id = ${userId}`),
      device: await countRows(tx, sql`SELECT 1 FROM device WHERE user_id = ${userId}`),
      sync_client: await countRows(tx, sql`SELECT 1 FROM sync_client WHERE user_id = ${userId}`),
      user: await count(sql`DELETE FROM "user" WHERE id = ${userId}`),
      login_failure: await count(sql`DELETE FROM login_failure WHERE email_key = ${emailKey(email)}`),
      sync_outcome_redacted: await count(
        sql`UPDATE sync_outcome SET result = (result - 'current' - 'message') || jsonb_build_object('current', NULL, 'message', 'The row this answer named belonged to an erased member.')
            WHERE ${mentions(sql`result::text`)}`,
      ),
      device_name_redacted: await count(sql`UPDATE device SET name = ${redact(sql`name`)} WHERE name IS NOT NULL AND (${mentions(sql`name`)})`),
      champion_notes_redacted: await count(sql`UPDATE champion SET notes = ${redact(sql`notes`)} WHERE ${mentions(sql`notes`)}`),
      stage_reason_redacted: await count(
        sql`UPDATE champion_stage_change SET reason = ${redact(sql`reason`)} WHERE reason IS NOT NULL AND (${mentions(sql`reason`)})`,
      ),
    };
    await tx.rows(sql`INSERT INTO erasure_log (user_id, erased_by, removed) VALUES (${userId}, ${erasedBy}, ${JSON.stringify(removed)}::jsonb)`);
    return removed;
  });
}

async function countRows(tx: Tx, q: SQL): Promise<number> {
  return (await tx.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM (${q}) x`))[0]?.n ?? 0;
}

/** The erasure log, newest first. */
export async function listErasures(db: Database, limit = 1000): Promise<ErasureLogEntry[]> {
  const rows = await db.read((tx) =>
    tx.rows<{ id: string; user_id: string; erased_by: string; erased_at: string; removed: Record<string, number> }>(
      sql`SELECT id::text, user_id, erased_by, to_char(erased_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS erased_at, removed
          FROM erasure_log ORDER BY erased_at DESC, id LIMIT ${limit}`,
    ),
  );
  return rows.map((r) => ({ id: r.id, userId: r.user_id, erasedBy: r.erased_by, erasedAt: r.erased_at, removed: r.removed }));
}
