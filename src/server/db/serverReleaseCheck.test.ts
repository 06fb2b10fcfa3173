import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { openServerDatabase } from './database.js';
import { ServerDatabaseFromNewerReleaseError } from './serverReleaseCheck.js';

const backends: Backend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.dispose();
});

/** Marks the database as migrated by a release one step newer than this checkout. */
async function pretendNewerRelease(kind: (typeof BACKENDS)[number], data: string): Promise<void> {
  const bump =
    'UPDATE drizzle.__drizzle_migrations SET created_at = created_at + 1000000000 WHERE created_at = (SELECT MAX(created_at) FROM drizzle.__drizzle_migrations)';
  if (kind === 'pglite') {
    const c = await PGlite.create(data);
    await c.query(bump);
    await c.close();
  } else {
    const c = new pg.Client({ connectionString: data });
    await c.connect();
    await c.query(bump);
    await c.end();
  }
}

describe.each(BACKENDS)('server database from a newer release (%s)', (kind) => {
  it('is refused at start-up with words saying so, and this release does not migrate or touch it', async (ctx) => {
    if (kind === 'postgres' && !(await postgresReachable())) return ctx.skip(SKIP_PG_MESSAGE);
    const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
    backends.push(backend);
    await (await openServerDatabase(backend.data)).close();
    await pretendNewerRelease(kind, backend.data);

    const refused = await openServerDatabase(backend.data).then(
      async (db) => {
        await db.close();
        return null;
      },
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ServerDatabaseFromNewerReleaseError);
    expect((refused as Error).message).toMatch(/newer release of the AfH sync server/);
  });
});
