import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { isCoordinator } from '../../shared/enums.js';
import { ClientId, type SessionUser } from '../../shared/protocol.js';
import { isDeviceRevoked, recordDevice } from '../auth/devices.js';
import { authenticateIngestKey } from '../auth/ingestKeys.js';
import { DEVICE_REVOKED } from '../auth/login.js';
import { authenticate, authenticateSession, type SessionCheck } from '../auth/sessionTokens.js';
import type { Database } from '../db/database.js';
import { ApiError } from './apiError.js';

// Who may call a route: each guard answers the caller it found, or throws the contract's 401/403.

export const bearer = (req: FastifyRequest): string | null => {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1] ?? null;
};

export type Guards = ReturnType<typeof createGuards>;

export function createGuards(db: Database) {
  const requireSession = async (req: FastifyRequest): Promise<Extract<SessionCheck, { user: SessionUser }>> => {
    const token = bearer(req);
    const r = token ? await authenticateSession(db, token) : null;
    if (!r) throw new ApiError('unauthorized', 'Sign in again: the session is missing, expired or revoked.');
    if ('refused' in r) {
      if (r.refused === 'device_revoked') throw new ApiError('device_revoked', DEVICE_REVOKED);
      throw new ApiError(
        'session_revoked',
        'This sign-in has ended (signed out elsewhere, unused for 14 days, or past 30 days). Sign in again; the data on this laptop is kept.',
      );
    }
    return r;
  };
  const requireUser = async (req: FastifyRequest): Promise<SessionUser> => (await requireSession(req)).user;
  const requireCoordinator = async (req: FastifyRequest): Promise<SessionUser> => {
    const { user, sessionId, clientId: sessionClient } = await requireSession(req);
    // Told apart from a plain 403: the laptop of someone who lost the role removes its copy of the data.
    if (!isCoordinator(user.roles))
      throw new ApiError('not_a_coordinator', 'This account is no longer a coordinator (admin or superadmin), so it may not sync.');
    // The install named in the body, when it was revoked, even under a session that did not name it.
    const body = req.body as { clientId?: unknown } | null;
    const clientId = ClientId.safeParse(body?.clientId);
    if (clientId.success && (await db.read((tx) => isDeviceRevoked(tx, clientId.data)))) throw new ApiError('device_revoked', DEVICE_REVOKED);
    if (clientId.success && sessionClient !== clientId.data) await adoptDevice(db, user.id, sessionId, clientId.data);
    return user;
  };
  const requireSuperadmin = async (req: FastifyRequest): Promise<SessionUser> => {
    const user = await requireUser(req);
    if (!user.roles.includes('superadmin')) throw new ApiError('forbidden', 'Only a superadmin may do this.');
    return user;
  };

  // Upstream systems only, each with its own key (docs/protocol.md, "Ingest keys"): a
  // coordinator's session is a person's, and must not be able to forge a payment or an event.
  const requireIngestKey = async (req: FastifyRequest) => {
    const token = bearer(req);
    const key = token ? await authenticateIngestKey(db, token) : null;
    if (!key) {
      if (token && (await authenticate(db, token)))
        throw new ApiError('forbidden', 'Ingest takes an upstream system’s ingest key, not a person’s session.');
      throw new ApiError('unauthorized', 'Send a live ingest key as Authorization: Bearer <key>.');
    }
    return key;
  };
  return { requireSession, requireUser, requireCoordinator, requireSuperadmin, requireIngestKey };
}

/** An install signed in by an earlier release (or whose sign-in named no device) becomes a listed, revocable device at its first sync. */
async function adoptDevice(db: Database, userId: string, sessionId: string, clientId: string): Promise<void> {
  await db.write(
    async (tx) => {
      if (await recordDevice(tx, userId, clientId, null))
        await tx.rows(sql`UPDATE session SET client_id = ${clientId} WHERE id = ${sessionId}::uuid`);
    },
    { lock: false },
  );
}
