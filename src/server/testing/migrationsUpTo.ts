import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../db/database.js';

/**
 * A copy of the server's migrations folder holding only migrations 0..`last`: a database as an
 * older release left it, for a test of the migration that follows. The caller removes the folder.
 */
function migrationsUpTo(last: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), `afh-migrations-${last}-`));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  for (const e of journal.entries.filter((x) => x.idx > last)) rmSync(path.join(dir, `${e.tag}.sql`));
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/**
 * Migrate the database at `data` (a PGlite folder or a PostgreSQL URL) to migration `last` only,
 * then run `seed` on it: rows as that older release wrote them. Returns when the connection is closed.
 */
export async function seedOlderRelease(
  kind: 'pglite' | 'postgres',
  data: string,
  last: number,
  seed: readonly (readonly [string, unknown[]])[],
): Promise<void> {
  const migrations = migrationsUpTo(last);
  try {
    if (kind === 'pglite') {
      const client = await PGlite.create(data);
      await migratePglite(drizzlePglite({ client }), { migrationsFolder: migrations });
      for (const [q, p] of seed) await client.query(q, p);
      await client.close();
    } else {
      const client = new pg.Client({ connectionString: data });
      await client.connect();
      await migratePg(drizzlePg({ client }), { migrationsFolder: migrations });
      for (const [q, p] of seed) await client.query(q, p);
      await client.end();
    }
  } finally {
    rmSync(migrations, { recursive: true, force: true });
  }
}
