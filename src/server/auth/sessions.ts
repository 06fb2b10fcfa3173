import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Role } from '../../shared/enums.js';
import type { SessionUser } from '../../shared/protocol.js';
import type { Database, Tx } from '../db/database.js';

/** Tokens are stored only as sha256: the database never holds a usable bearer token. */
const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function createSession(tx: Tx, userId: string, ttlSeconds: number, clientId: string | null = null): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000).toISOString();
  await tx.rows(
    sql`INSERT INTO session (token_hash, user_id, client_id, expires_at) VALUES (${tokenHash(token)}, ${userId}, ${clientId}, ${expiresAt})`,
  );
  // Expired sessions are dead weight; sweeping a few on each login keeps the table small without a scheduler.
  await tx.rows(sql`DELETE FROM session WHERE token_hash IN (SELECT token_hash FROM session WHERE expires_at < now() LIMIT 100)`);
  return { token, expiresAt };
}

/** The user behind a live bearer token, or null (unknown, revoked or expired). */
export async function authenticate(db: Database, token: string): Promise<SessionUser | null> {
  const rows = await db.read((tx) =>
    tx.rows<{ id: string; email: string; name: string; roles: Role[] }>(
      sql`SELECT u.id, u.email, u.name, u.roles FROM session s JOIN "user" u ON u.id = s.user_id
          WHERE s.token_hash = ${tokenHash(token)} AND s.expires_at > now()`,
    ),
  );
  return rows[0] ?? null;
}

export async function revokeSession(db: Database, token: string): Promise<void> {
  await db.write((tx) => tx.rows(sql`DELETE FROM session WHERE token_hash = ${tokenHash(token)}`), { lock: false });
}
