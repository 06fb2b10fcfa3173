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

/** Count a failure; from the sixth in a window on, block for a doubling period (30 s … 15 min). */
export async function recordFailure(tx: Tx, email: string): Promise<void> {
  const r = await tx.rows<{ failures: number; last: string }>(
    sql`SELECT failures, afh_iso(last_failed_at) AS last FROM login_failure WHERE email_key = ${emailKey(email)} FOR UPDATE`,
  );
  const prev = r[0];
  const failures = prev && Date.now() - Date.parse(prev.last) < WINDOW_MS ? prev.failures + 1 : 1;
  const blockMs = failures >= FREE_FAILURES ? Math.min(MAX_BLOCK_MS, BASE_BLOCK_MS * 2 ** (failures - FREE_FAILURES)) : 0;
  const blockedUntil = blockMs > 0 ? new Date(Date.now() + blockMs).toISOString() : null;
  await tx.rows(
    sql`INSERT INTO login_failure (email_key, failures, last_failed_at, blocked_until)
        VALUES (${emailKey(email)}, ${failures}, now(), ${blockedUntil})
        ON CONFLICT (email_key) DO UPDATE SET failures = EXCLUDED.failures, last_failed_at = EXCLUDED.last_failed_at,
          blocked_until = EXCLUDED.blocked_until`,
  );
}

export async function clearFailures(tx: Tx, email: string): Promise<void> {
  await tx.rows(sql`DELETE FROM login_failure WHERE email_key = ${emailKey(email)}`);
}
