import { sql } from 'drizzle-orm';
import type { Tx } from '../db/database.js';

// Slow-down of repeated failed logins for one email. Kept in the database (not memory) so that
// every server instance behind a load balancer sees the same count.
const FREE_FAILURES = 5;
const WINDOW_MS = 15 * 60 * 1000;
const BASE_BLOCK_MS = 30 * 1000;
const MAX_BLOCK_MS = 15 * 60 * 1000;

export const emailKey = (email: string): string => email.trim().toLowerCase();

/** Seconds until this email may try again, or 0 if it may try now. */
export async function secondsBlocked(tx: Tx, email: string): Promise<number> {
  const r = await tx.rows<{ wait: number | null }>(
    sql`SELECT ceil(extract(epoch FROM blocked_until - now()))::float8 AS wait FROM login_failure
        WHERE email_key = ${emailKey(email)} AND blocked_until > now()`,
  );
  return Math.max(0, r[0]?.wait ?? 0);
}

/** Count a failure; from the fifth in a window on, block for a doubling period (30 s … 15 min). */
export async function recordFailure(tx: Tx, email: string): Promise<void> {
  // One atomic upsert, so parallel wrong guesses each count.
  const r = await tx.rows<{ failures: number }>(
    sql`INSERT INTO login_failure (email_key, failures, last_failed_at) VALUES (${emailKey(email)}, 1, now())
        ON CONFLICT (email_key) DO UPDATE SET
          failures = CASE WHEN login_failure.last_failed_at > now() - make_interval(secs => ${WINDOW_MS / 1000})
                          THEN login_failure.failures + 1 ELSE 1 END,
          last_failed_at = now()
        RETURNING failures`,
  );
  const failures = r[0]?.failures ?? 1;
  if (failures < FREE_FAILURES) return;
  const blockMs = Math.min(MAX_BLOCK_MS, BASE_BLOCK_MS * 2 ** (failures - FREE_FAILURES));
  await tx.rows(
    sql`UPDATE login_failure SET blocked_until = now() + make_interval(secs => ${blockMs / 1000}) WHERE email_key = ${emailKey(email)}`,
  );
}

export async function clearFailures(tx: Tx, email: string): Promise<void> {
  await tx.rows(sql`DELETE FROM login_failure WHERE email_key = ${emailKey(email)}`);
  // Guesses at made-up emails leave rows nobody clears; sweep a few stale ones on each success.
  await tx.rows(
    sql`DELETE FROM login_failure WHERE email_key IN (
          SELECT email_key FROM login_failure WHERE last_failed_at < now() - interval '1 day'
            AND (blocked_until IS NULL OR blocked_until < now()) LIMIT 100)`,
  );
}
