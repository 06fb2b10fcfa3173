import { sql } from 'drizzle-orm';
import type { Role } from '../../shared/enums.js';
import type { LoginRequest, LoginResponse } from '../../shared/protocol.js';
import type { Database } from '../db/database.js';
import { ApiError } from '../http/apiError.js';
import { clearFailures, emailKey, recordFailure, secondsBlocked } from './loginThrottle.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import { createSession } from './sessions.js';

const BAD_LOGIN = 'The email or password is not right.';

export async function login(db: Database, req: LoginRequest, tokenTtlSeconds: number): Promise<LoginResponse> {
  const wait = await db.read((tx) => secondsBlocked(tx, req.email));
  if (wait > 0) throw tooMany(wait);

  const found = await db.read((tx) =>
    tx.rows<{ id: string; email: string; name: string; roles: Role[]; salt: string | null; hash: string | null }>(
      sql`SELECT u.id, u.email, u.name, u.roles, c.salt, c.hash FROM "user" u LEFT JOIN credential c ON c.user_id = u.id
          WHERE lower(u.email) = ${emailKey(req.email)}`,
    ),
  );
  const u = found[0];
  // The hash is checked outside any transaction: it is slow on purpose and must not hold the writers' lock.
  const ok = u?.salt && u.hash ? await verifyPassword(req.password, { salt: u.salt, hash: u.hash }) : (await burnPasswordCheck(req.password), false);

  // Errors are returned, not thrown, from the transaction: throwing would roll back the failure count.
  const outcome = await db.write(async (tx): Promise<LoginResponse | ApiError> => {
    // Re-check inside the transaction (recordFailure locks the email's row) so parallel guesses
    // cannot slip past a block set meanwhile.
    const waitNow = await secondsBlocked(tx, req.email);
    if (waitNow > 0) return tooMany(waitNow);
    if (!u || !ok) {
      await recordFailure(tx, req.email);
      return new ApiError('unauthorized', BAD_LOGIN);
    }
    await clearFailures(tx, req.email);
    const s = await createSession(tx, u.id, tokenTtlSeconds);
    return { token: s.token, expiresAt: s.expiresAt, user: { id: u.id, email: u.email, name: u.name, roles: u.roles } };
  }, { lock: false });
  if (outcome instanceof ApiError) throw outcome;
  return outcome;
}

const tooMany = (seconds: number) =>
  new ApiError('rate_limited', `Too many failed sign-in attempts for this email. Try again in ${Math.ceil(seconds)} seconds.`, {
    retryAfterSeconds: Math.ceil(seconds),
  });
