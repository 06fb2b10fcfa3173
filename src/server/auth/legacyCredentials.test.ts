import { randomBytes, scryptSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_FOLDER } from '../db/database.js';
import { startServer } from '../startServer.js';
import { apiClient } from '../testing/httpClient.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';

// A server database from the release before argon2id (migrations 0000-0002, credentials as
// scrypt salt/hash pairs, written the way that release wrote them) upgraded by migration 0003:
// its users still sign in with their passwords, and each hash becomes argon2id at that login.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

/** The migrations folder as that release shipped it: the first three migrations only. */
function previousReleaseMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'afh-migrations-0002-'));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  for (const e of journal.entries.filter((x) => x.idx > 2)) rmSync(path.join(dir, `${e.tag}.sql`));
  journal.entries = journal.entries.filter((e) => e.idx <= 2);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** That release's hashPassword: scrypt N=2^14, r=8, p=1, 16-byte salt, 32-byte key, both base64. */
function oldHash(password: string): { salt: string; hash: string } {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, 32, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  return { salt: salt.toString('base64'), hash: key.toString('base64') };
}

describe.each(BACKENDS)('credentials from before argon2id, on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let backend: Backend | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    await backend?.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it.skipIf(skip)('migration 0003 keeps old scrypt logins working; each is upgraded to argon2id at its next good login', async () => {
    backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
    const migrations = previousReleaseMigrations();
    dirs.push(migrations);
    const users = [
      { id: 'usr_old_coord', email: 'coordinator@old.local', password: 'demo-coordinator', roles: ['admin'] },
      { id: 'usr_old_ünï', email: 'unicode@old.local', password: 'pässwörd ✓', roles: ['admin'] },
    ];
    const seed = async (run: (q: string, params: unknown[]) => Promise<unknown>) => {
      for (const u of users) {
        const c = oldHash(u.password);
        await run(
          `INSERT INTO "user" (id, email, name, roles, created_at, seq, wire) VALUES ($1, $2, $1, $3::jsonb, now(), nextval('change_seq'), '')`,
          [u.id, u.email, JSON.stringify(u.roles)],
        );
        await run('INSERT INTO credential (user_id, salt, hash) VALUES ($1, $2, $3)', [u.id, c.salt, c.hash]);
      }
    };
    if (kind === 'pglite') {
      const client = await PGlite.create(backend.data);
      await migratePglite(drizzlePglite({ client }), { migrationsFolder: migrations });
      await seed((q, p) => client.query(q, p));
      await client.close();
    } else {
      const client = new pg.Client({ connectionString: backend.data });
      await client.connect();
      await migratePg(drizzlePg({ client }), { migrationsFolder: migrations });
      await seed((q, p) => client.query(q, p));
      await client.end();
    }

    const server = await startServer({ data: backend.data, port: 0 });
    try {
      const api = apiClient(server.url);
      const hashes = async () =>
        Object.fromEntries(
          (
            await server.admin.database.read((tx) =>
              tx.rows<{ user_id: string; hash: string }>(sql`SELECT user_id, hash FROM credential ORDER BY user_id`),
            )
          ).map((r) => [r.user_id, r.hash]),
        );
      const migrated = await hashes();
      for (const u of users) expect(migrated[u.id]).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect((await api.post('/v1/auth/login', { email: users[0]!.email, password: 'not it' })).status).toBe(401);
      for (const u of users) {
        const r = await api.post('/v1/auth/login', { email: u.email, password: u.password });
        expect(r.status, u.email).toBe(200);
      }
      const upgraded = await hashes();
      for (const u of users) expect(upgraded[u.id]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      for (const u of users) expect((await api.post('/v1/auth/login', { email: u.email, password: u.password })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
