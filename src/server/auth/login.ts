import { sql } from 'drizzle-orm';
import type { Role } from '../../shared/enums.js';
import type { LoginRequest, LoginResponse } from '../../shared/protocol.js';
import type { Database } from '../db/database.js';
import { DomainError } from '../domainError.js';
import { clearFailures, emailKey, recordFailure, secondsBlocked } from './loginThrottle.js';
import { QueueFullError, type PasswordHasher } from './passwords.js';
import { isDeviceRevoked, recordDevice } from './devices.js';
import { createSession } from './sessionTokens.js';
import { readScope } from '../scopes.js';

const BAD_LOGIN = 'The email or password is not right.';
export const DEVICE_REVOKED = 'This device was signed out by an administrator, and its copy of the data must be removed.';

export interface LoginContext {
  hasher: PasswordHasher;
  tokenTtlSeconds: number;
  /** The client address as the throttle keys it (loginThrottle.addressKey). */
  address: string;
}

export async function login(db: Database, req: LoginRequest, ctx: LoginContext): Promise<LoginResponse> {
  const { address } = ctx;
  const { wait, u } = await db.read(async (tx) => {
    const blocked = await secondsBlocked(tx, req.email, address);
    if (blocked > 0) return { wait: blocked, u: undefined };
    const found = await tx.rows<{ id: string; email: string; name: string; roles: Role[]; hash: string | null }>(
      sql`SELECT u.id, u.email, u.name, u.roles, c.hash FROM "user" u LEFT JOIN credential c ON c.user_id = u.id
          WHERE lower(u.email) = ${emailKey(req.email)}`,
    );
    return { wait: 0, u: found[0] };
  });
  if (wait > 0) throw tooMany(wait);

  // The hash is checked outside any transaction: it is slow on purpose and must not hold a
  // connection or the writers' lock. An unknown email costs the same (a dummy hash), and waits
  // in the same queue, so neither time nor queueing tells which emails exist.
  let verdict;
  let upgraded: string | null = null;
  try {
    verdict = await ctx.hasher.verify(req.password, u?.hash ?? null, address);
    // The password is right and its hash older or cheaper than today's: store one at today's cost.
    if (verdict.ok && verdict.rehash) upgraded = await ctx.hasher.hash(req.password, address);
  } catch (e) {
    if (e instanceof QueueFullError) throw tooMany(e.retryAfterSeconds);
    throw e;
  }

  // Errors are returned, not thrown, from the transaction: throwing would roll back the failure count.
  const outcome = await db.write(
    async (tx): Promise<LoginResponse | DomainError> => {
      // Re-check inside the transaction so parallel guesses cannot slip past a block set meanwhile.
      const waitNow = await secondsBlocked(tx, req.email, address);
      if (waitNow > 0) return tooMany(waitNow);
      if (!u || !verdict.ok) {
        await recordFailure(tx, req.email, address);
        return new DomainError('unauthorized', BAD_LOGIN);
      }
      await clearFailures(tx, req.email, address);
      if (upgraded) await tx.rows(sql`UPDATE credential SET hash = ${upgraded} WHERE user_id = ${u.id}`);
      let clientId: string | null = null;
      if (req.clientId !== undefined) {
        // A revoked install stays revoked: it is told so (and wipes) rather than handed a new session.
        if (await isDeviceRevoked(tx, req.clientId)) return new DomainError('device_revoked', DEVICE_REVOKED);
        if (await recordDevice(tx, u.id, req.clientId, req.deviceName ?? null)) clientId = req.clientId;
      }
      const s = await createSession(tx, u.id, ctx.tokenTtlSeconds, clientId);
      const scope = await readScope(tx, u.id, u.roles);
      return { token: s.token, expiresAt: s.expiresAt, user: { id: u.id, email: u.email, name: u.name, roles: u.roles, scope } };
    },
    { lock: false },
  );
  if (outcome instanceof DomainError) throw outcome;
  return outcome;
}

const tooMany = (seconds: number) =>
  new DomainError('rate_limited', `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds)} seconds.`, {
    retryAfterSeconds: Math.ceil(seconds),
  });
