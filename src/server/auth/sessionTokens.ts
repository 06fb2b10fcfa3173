import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Role } from '../../shared/enums.js';
import type { SessionUser } from '../../shared/protocol.js';
import type { Database, Tx } from '../db/database.js';

/** Tokens are stored only as sha256: the database never holds a usable bearer token. */
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createSession(
  tx: Tx,
  userId: string,
  ttlSeconds: number,
  clientId: string | null = null,
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
  await tx.rows(
    sql`INSERT INTO session (token_hash, user_id, client_id, expires_at) VALUES (${tokenHash(token)}, ${userId}, ${clientId}, ${expiresAt})`,
  );
  // Expired sessions are dead weight; sweeping a few on each login keeps the table small without a scheduler.
  await tx.rows(sql`DELETE FROM session WHERE token_hash IN (SELECT token_hash FROM session WHERE expires_at < now() LIMIT 100)`);
  return { token, expiresAt };
}

/** A session unused this long ends, even before its expiry (issue 14: a laptop left in a drawer). */
const SESSION_IDLE_SECONDS = 14 * 86400;
/** last_used_at is written at most this often per session: one small write a minute, not one a request. */
const TOUCH_EVERY_SECONDS = 60;

/** The user behind a live bearer token, or null (unknown, revoked, expired or idle). */
export async function authenticate(db: Database, token: string): Promise<SessionUser | null> {
  const r = await authenticateSession(db, token);
  return r && 'user' in r ? r.user : null;
}

export type SessionCheck = { user: SessionUser; sessionId: string; clientId: string | null } | { refused: 'session_revoked' | 'device_revoked' };

/**
 * What a bearer token stands for: a live session (its use noted, at most once a minute), or why
 * it no longer does — its device was revoked (the laptop wipes), or the session was revoked,
 * expired or went idle (sign in again, keep the data). null: no such token at all.
 */
export async function authenticateSession(db: Database, token: string, idleSeconds = SESSION_IDLE_SECONDS): Promise<SessionCheck | null> {
  const hash = tokenHash(token);
  const rows = await db.read((tx) =>
    tx.rows<{
      id: string;
      email: string;
      name: string;
      roles: Role[];
      session_id: string;
      client_id: string | null;
      live: boolean;
      device_revoked: boolean;
      stale: boolean;
    }>(
      sql`SELECT u.id, u.email, u.name, u.roles, s.id::text AS session_id, s.client_id::text AS client_id,
                 (s.revoked_at IS NULL AND s.expires_at > now() AND s.last_used_at > now() - make_interval(secs => ${idleSeconds})) AS live,
                 (d.revoked_at IS NOT NULL) AS device_revoked,
                 (s.last_used_at < now() - make_interval(secs => ${TOUCH_EVERY_SECONDS})) AS stale
          FROM session s JOIN "user" u ON u.id = s.user_id LEFT JOIN device d ON d.client_id = s.client_id
          WHERE s.token_hash = ${hash}`,
    ),
  );
  const r = rows[0];
  if (!r) return null;
  if (r.device_revoked) return { refused: 'device_revoked' };
  if (!r.live) return { refused: 'session_revoked' };
  if (r.stale) {
    await db.write(
      async (tx) => {
        await tx.rows(sql`UPDATE session SET last_used_at = now() WHERE token_hash = ${hash}`);
        if (r.client_id) await tx.rows(sql`UPDATE device SET last_seen_at = now() WHERE client_id = ${r.client_id}::uuid`);
      },
      { lock: false },
    );
  }
  return { user: { id: r.id, email: r.email, name: r.name, roles: r.roles }, sessionId: r.session_id, clientId: r.client_id };
}

export async function revokeSession(db: Database, token: string): Promise<void> {
  await db.write((tx) => tx.rows(sql`DELETE FROM session WHERE token_hash = ${tokenHash(token)}`), { lock: false });
}
