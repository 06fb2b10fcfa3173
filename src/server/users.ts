import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { Role } from '../shared/enums.js';
import { RowId, UserRow } from '../shared/rows.js';
import type { Database, Tx } from './db/database.js';
import { wireRow } from './db/storedWire.js';
import type { PasswordHasher } from './auth/passwords.js';

export const NewUser = z.strictObject({
  id: RowId,
  email: UserRow.shape.email,
  name: UserRow.shape.name,
  roles: z.array(Role),
  password: z.string().min(1).max(1000),
  origin: UserRow.shape.origin.optional(),
  profileImg: UserRow.shape.profile_img.optional(),
  createdAt: UserRow.shape.created_at.optional(),
});
export type NewUser = z.input<typeof NewUser>;

/** Insert a user with a login (tests, demo data, operators). Throws if the id or email is taken. */
export async function createUser(db: Database, input: NewUser, hasher: PasswordHasher): Promise<UserRow> {
  const u = NewUser.parse(input);
  const cred = await hasher.hash(u.password);
  return db.write(async (tx) => {
    await insertUserWithCredential(tx, u, cred);
    const row = await wireRow(tx, 'user', u.id);
    if (!row) throw new Error('user vanished after insert');
    return row;
  });
}

export async function insertUserWithCredential(
  tx: Tx,
  u: z.output<typeof NewUser>,
  /** A PHC string (auth/passwords.ts). */
  cred: string,
): Promise<void> {
  await tx.rows(
    sql`INSERT INTO "user" (id, email, name, origin, profile_img, roles, created_at)
        VALUES (${u.id}, ${u.email}, ${u.name}, ${u.origin ?? null}, ${u.profileImg ?? null}, ${JSON.stringify(u.roles)}::jsonb,
                ${u.createdAt ?? new Date().toISOString()})`,
  );
  await tx.rows(sql`INSERT INTO credential (user_id, hash) VALUES (${u.id}, ${cred})`);
}
