import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { PullResponse } from '../../shared/protocol.js';
import { openServerDatabase, type Database } from '../db/database.js';
import { applyChanges, dumpTables, emptyMirror } from '../testing/dumpTables.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { pullPageJson } from './pullPage.js';

const CLIENT = '0b6f4c1e-8a51-4c2e-9f3a-7d2b1c0e9a11';
const opened: { db: Database; backend: Backend }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.db.close();
    await o.backend.dispose();
  }
});

// Notes and metadata that JSON must escape, built into the page by the database's text concatenation.
const TRICKY = 'quote " backslash \\ newline \n tab \t ünïcødé 😀 </script>';

async function seeded(kind: (typeof BACKENDS)[number]): Promise<Database> {
  const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
  const db = await openServerDatabase(backend.data);
  opened.push({ db, backend });
  await db.write(async (tx) => {
    await tx.rows(sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES
      ('usr_c', 'c@x.test', 'Coord', '["admin"]', '2026-01-01T00:00:00Z'),
      ('usr_a', 'a@x.test', ${TRICKY}, '["student"]', '2026-01-01T00:00:00.5Z'),
      ('usr_b', 'b@x.test', 'Bo', '["student","champion"]', '2026-01-01T00:00:00.123456Z')`);
    await tx.rows(sql`INSERT INTO user_action (id, user_id, enrollment_id, action_type, metadata, source_system, idempotency_key, occurred_at)
      VALUES ('act_1', 'usr_a', NULL, 'enrolled', ${JSON.stringify({ s: TRICKY, n: [1, 2.5, null, true], o: {} })}::jsonb, 'manual', 'k1', '2026-01-03T00:00:00Z'),
             ('act_2', 'usr_b', NULL, 'enrolled', '{}', 'app', NULL, '2026-01-03T00:00:00Z')`);
    await tx.rows(sql`INSERT INTO champion (id, user_id, cohort_id, stage, notes) VALUES ('ch_b', 'usr_b', NULL, 'candidate', ${TRICKY})`);
    // Pages of the whole platform: this coordinator holds every community (issue 13).
    await tx.rows(sql`INSERT INTO coordinator_scope (user_id, "all") VALUES ('usr_c', true)`);
  });
  // A delete leaves a tombstone: the page carries it in the delete form.
  await db.write((tx) => tx.rows(sql`DELETE FROM user_action WHERE id = 'act_2'`));
  return db;
}

describe.each(BACKENDS)('pull page built in the database (%s)', (kind) => {
  it('pages of every size validate as PullResponse and together rebuild exactly the server tables, escapes and deletes included', async (t) => {
    if (kind === 'postgres' && !(await postgresReachable())) return t.skip(SKIP_PG_MESSAGE);
    const db = await seeded(kind);
    const dump = await dumpTables(db);
    for (const limit of [1, 2, 5, 6, 7, 1000]) {
      const mirror = emptyMirror();
      let cursor: string | null = null;
      let pages = 0;
      let deletes = 0;
      for (;;) {
        const text = (await pullPageJson(db, 'usr_c', { clientId: CLIENT, cursor, limit })).toString('utf8');
        const page = PullResponse.parse(JSON.parse(text));
        pages++;
        expect(page.changes.length).toBeLessThanOrEqual(limit);
        deletes += page.changes.filter((c) => c.op === 'delete').length;
        applyChanges(mirror, page.changes);
        cursor = page.cursor;
        if (!page.hasMore) break;
        expect(page.changes).toHaveLength(limit);
        expect(page.remaining).toBeGreaterThan(0);
      }
      // 3 users + act_1 + 1 champion + the delete of act_2 = 6 changes; a page of exactly the rest says hasMore false.
      expect(pages).toBe(Math.max(1, Math.ceil(6 / limit)));
      expect(deletes).toBe(1);
      expect(mirror).toEqual(dump);
      expect((mirror.champion.get('ch_b') as { notes: string }).notes).toBe(TRICKY);
    }
    // Past the end: an empty page that keeps the cursor and says there is nothing more.
    const first = PullResponse.parse(JSON.parse((await pullPageJson(db, 'usr_c', { clientId: CLIENT, cursor: null, limit: 1000 })).toString('utf8')));
    const after = PullResponse.parse(
      JSON.parse((await pullPageJson(db, 'usr_c', { clientId: CLIENT, cursor: first.cursor, limit: 1000 })).toString('utf8')),
    );
    expect(after).toEqual({
      databaseId: first.databaseId,
      cursor: first.cursor,
      hasMore: false,
      lastMutationId: 0,
      remaining: 0,
      scope: { all: true, cohortIds: [] },
      changes: [],
    });
  });
});
