import { isIP } from 'node:net';
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../db/database.js';

// Slow-down of failed logins, kept in the database (not memory) so that every server instance
// behind a load balancer sees the same counts. Three limits, each a progressive block (30 s,
// doubling, at most 15 minutes) once its free failures in a 15-minute window are used up:
//
// - per (account, client address): 5 free failures. The one that guesses is slowed down; the
//   account's owner, at another address, is not. This is what keeps a stranger from locking
//   the right password out: their failures are theirs.
// - per client address, any account: 20 free failures. Stops one address spraying guesses over
//   many accounts (each pair would otherwise have 5 of its own). It blocks that address only.
// - per account, any address: 20 free failures. Stops many addresses (a botnet) sharing out the
//   guesses on one account. While it is exceeded it blocks only addresses that have failed on
//   this account themselves in the window: every guessing address is held back (after its first
//   failure), while an address with no recent failure for the account (the owner, typing the
//   right password) is still let in.
//
// A successful login clears its own pair; it does not clear the address or account counts,
// which only the window ages out (a password known for one account must not buy more guesses).
// docs/protocol.md ("Sign-in throttling") says the same for clients.

const WINDOW_SECONDS = 15 * 60;
const BASE_BLOCK_SECONDS = 30;
const MAX_BLOCK_SECONDS = 15 * 60;
export const FREE_FAILURES = { pair: 5, address: 20, account: 20 } as const;

/** An email as the throttle and the user lookup key it; a blank one becomes ' ', so it never reads as "any account" (''). */
export const emailKey = (email: string): string => email.trim().toLowerCase() || ' ';

/**
 * The client address as the throttle keys it. IPv6 by its /64: one subscriber usually holds a
 * whole /64, so single addresses would be free to rotate through. IPv4-mapped IPv6 (`::ffff:1.2.3.4`)
 * is the IPv4 address.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

interface Counter {
  email_key: string;
  address: string;
  failures: number;
  wait: number | null;
}

/** Seconds until this account may be tried from this address, or 0 if now. */
export async function secondsBlocked(tx: Tx, email: string, address: string): Promise<number> {
  const e = emailKey(email);
  const rows = await tx.rows<Counter>(
    sql`SELECT email_key, address, failures,
               CASE WHEN blocked_until > now() THEN ceil(extract(epoch FROM blocked_until - now()))::float8 END AS wait
        FROM login_failure
        WHERE last_failed_at > now() - make_interval(secs => ${WINDOW_SECONDS})
          AND ((email_key = ${e} AND address = ${address}) OR (email_key = '' AND address = ${address})
               OR (email_key = ${e} AND address = ''))`,
  );
  const pair = rows.find((r) => r.email_key === e && r.address === address);
  const byAddress = rows.find((r) => r.email_key === '' && r.address === address);
  const byAccount = rows.find((r) => r.email_key === e && r.address === '');
  return Math.max(0, pair?.wait ?? 0, byAddress?.wait ?? 0, pair ? (byAccount?.wait ?? 0) : 0);
}

/** Count a failure in all three counters; each past its free failures blocks for a doubling period. */
export async function recordFailure(tx: Tx, email: string, address: string): Promise<void> {
  const e = emailKey(email);
  // One atomic upsert of the three rows, so parallel wrong guesses each count; a failure
  // outside the window starts that counter over.
  await tx.rows(
    sql`INSERT INTO login_failure (email_key, address, failures, last_failed_at)
        VALUES (${e}, ${address}, 1, now()), ('', ${address}, 1, now()), (${e}, '', 1, now())
        ON CONFLICT (email_key, address) DO UPDATE SET
          failures = CASE WHEN login_failure.last_failed_at > now() - make_interval(secs => ${WINDOW_SECONDS})
                          THEN login_failure.failures + 1 ELSE 1 END,
          last_failed_at = now(),
          blocked_until = CASE
            WHEN (CASE WHEN login_failure.last_failed_at > now() - make_interval(secs => ${WINDOW_SECONDS})
                       THEN login_failure.failures + 1 ELSE 1 END) >= ${freeFor(sql`excluded`)}
            THEN now() + make_interval(secs => least(${MAX_BLOCK_SECONDS}::float8,
                   ${BASE_BLOCK_SECONDS}::float8 * power(2, least(20, login_failure.failures + 1 - ${freeFor(sql`excluded`)}))))
            ELSE login_failure.blocked_until END`,
  );
}

/** The free failures of a row, by which of the three counters it is. */
const freeFor = (row: SQL) =>
  sql`(CASE WHEN ${row}.email_key = '' THEN ${FREE_FAILURES.address}::int WHEN ${row}.address = '' THEN ${FREE_FAILURES.account}::int
            ELSE ${FREE_FAILURES.pair}::int END)`;

/** A successful login: its own pair starts over; stale rows of made-up emails are swept a few at a time. */
export async function clearFailures(tx: Tx, email: string, address: string): Promise<void> {
  await tx.rows(sql`DELETE FROM login_failure WHERE email_key = ${emailKey(email)} AND address = ${address}`);
  await tx.rows(
    sql`DELETE FROM login_failure WHERE (email_key, address) IN (
          SELECT email_key, address FROM login_failure WHERE last_failed_at < now() - interval '1 day'
            AND (blocked_until IS NULL OR blocked_until < now()) LIMIT 100)`,
  );
}
