import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/database.js';

// Devices (one per install's clientId) and session revocation (docs/protocol.md, "Sessions and
// devices"). A revoked device's next contact is told device_revoked and its laptop wipes its data;
// a revoked session's is told session_revoked and signs in again, keeping its data.

export interface DeviceInfo {
  clientId: string;
  userId: string;
  name: string | null;
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

export interface SessionInfo {
  id: string;
  clientId: string | null;
  deviceName: string | null;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
}

const iso = (col: string) => sql.raw(`to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Whether this install was revoked (an unknown clientId is not). */
export async function isDeviceRevoked(tx: Tx, clientId: string): Promise<boolean> {
  const r = await tx.rows(sql`SELECT 1 FROM device WHERE client_id = ${clientId} AND revoked_at IS NOT NULL`);
  return r.length > 0;
}

/**
 * Record the install a user signs in from. A clientId another user's device holds is not taken
 * over (the sign-in still works; the session just names no device).
 */
export async function recordDevice(tx: Tx, userId: string, clientId: string, name: string | null): Promise<boolean> {
  const r = await tx.rows(
    sql`INSERT INTO device (client_id, user_id, name) VALUES (${clientId}, ${userId}, ${name})
        ON CONFLICT (client_id) DO UPDATE SET name = COALESCE(EXCLUDED.name, device.name), last_seen_at = now()
        WHERE device.user_id = EXCLUDED.user_id
        RETURNING 1`,
  );
  return r.length > 0;
}

/** Revoke a device: its sessions end and its next contact gets device_revoked. False if there is no such device. */
export async function revokeDevice(db: Database, clientId: string): Promise<boolean> {
  return db.write(
    async (tx) => {
      const r = await tx.rows(sql`UPDATE device SET revoked_at = COALESCE(revoked_at, now()) WHERE client_id = ${clientId} RETURNING 1`);
      if (r.length === 0) return false;
      await tx.rows(sql`UPDATE session SET revoked_at = now() WHERE client_id = ${clientId} AND revoked_at IS NULL`);
      return true;
    },
    { lock: false },
  );
}

/** End every live session of a user (their devices stay: they sign in again and keep their data). */
export async function revokeUserSessions(db: Database, userId: string): Promise<number> {
  return db.write(
    async (tx) => {
      const r = await tx.rows(sql`UPDATE session SET revoked_at = now() WHERE user_id = ${userId} AND revoked_at IS NULL RETURNING 1`);
      return r.length;
    },
    { lock: false },
  );
}

/** End one of the user's own sessions; false if it is not theirs or does not exist. */
export async function revokeOwnSession(db: Database, userId: string, sessionId: string): Promise<boolean> {
  return db.write(
    async (tx) => {
      const r = await tx.rows(
        sql`UPDATE session SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ${sessionId}::uuid AND user_id = ${userId} RETURNING 1`,
      );
      return r.length > 0;
    },
    { lock: false },
  );
}

/** The user's live sessions, newest use first, with the device each came from. */
export async function listOwnSessions(db: Database, userId: string, currentSessionId: string | null): Promise<SessionInfo[]> {
  const rows = await db.read((tx) =>
    tx.rows<{ id: string; client_id: string | null; name: string | null; created_at: string; last_used_at: string; expires_at: string }>(
      sql`SELECT s.id::text, s.client_id::text, d.name, ${iso('s.created_at')} AS created_at, ${iso('s.last_used_at')} AS last_used_at,
                 ${iso('s.expires_at')} AS expires_at
          FROM session s LEFT JOIN device d ON d.client_id = s.client_id
          WHERE s.user_id = ${userId} AND s.revoked_at IS NULL AND s.expires_at > now()
          ORDER BY s.last_used_at DESC, s.id`,
    ),
  );
  return rows.map((r) => ({
    id: r.id,
    clientId: r.client_id,
    deviceName: r.name,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
    current: r.id === currentSessionId,
  }));
}

/** Every device (superadmin), most recently seen first. */
export async function listDevices(db: Database): Promise<DeviceInfo[]> {
  const rows = await db.read((tx) =>
    tx.rows<{ client_id: string; user_id: string; name: string | null; created_at: string; last_seen_at: string; revoked_at: string | null }>(
      sql`SELECT client_id::text, user_id, name, ${iso('created_at')} AS created_at, ${iso('last_seen_at')} AS last_seen_at,
                 CASE WHEN revoked_at IS NULL THEN NULL ELSE ${iso('revoked_at')} END AS revoked_at
          FROM device ORDER BY last_seen_at DESC, client_id LIMIT 10000`,
    ),
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    userId: r.user_id,
    name: r.name,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
  }));
}
