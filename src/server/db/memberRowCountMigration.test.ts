import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../erasure.js';
import { startServer } from '../startServer.js';
import { seedOlderRelease } from '../testing/migrationsUpTo.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';

// Migration 0008_member_row_count: each member's rows besides the user row (enrollments, actions,
// champion rows and their stage history), what a first scoped sync sizes its pages by. A database
// from the release before (migrations 0000-0007) is counted by the migration, and from then on
// the triggers keep each count exact through inserts, deletes, rows moved to another member, and
// an erasure.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

const T = '2026-01-02T00:00:00Z';
const SEED: [string, unknown[]][] = [
  [`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ($1, $2, $1, '[]'::jsonb, $3)`, ['usr_a', 'a@x.org', T]],
  [`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ($1, $2, $1, '[]'::jsonb, $3)`, ['usr_b', 'b@x.org', T]],
  [`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ($1, $2, $1, '[]'::jsonb, $3)`, ['usr_c', 'c@x.org', T]],
  [`INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_1', 'One', 'active', $1)`, [T]],
  [
    `INSERT INTO user_action (id, user_id, action_type, occurred_at) VALUES ('act_a1', 'usr_a', 'enrolled', $1), ('act_a2', 'usr_a', 'enrolled', $1), ('act_a3', 'usr_a', 'enrolled', $1), ('act_b1', 'usr_b', 'enrolled', $1)`,
    [T],
  ],
  [`INSERT INTO enrollment (id, user_id, cohort_id, status, enrolled_at) VALUES ('enr_a', 'usr_a', 'coh_1', 'active', $1)`, [T]],
  [`INSERT INTO champion (id, user_id, cohort_id, stage) VALUES ('ch_a', 'usr_a', 'coh_1', 'selected')`, []],
  [
    `INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by) VALUES ('csc_1', 'ch_a', NULL, 'candidate', $1, 'usr_c'), ('csc_2', 'ch_a', 'candidate', 'selected', $1, 'usr_c')`,
    [T],
  ],
];

describe.each(BACKENDS)('migration 0008_member_row_count on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let backend: Backend | undefined;
  afterAll(async () => {
    await backend?.dispose();
  });

  it.skipIf(skip)(
    'counts an older database’s rows per member, then keeps every count exact through inserts, deletes, moves and an erasure',
    async () => {
      backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
      await seedOlderRelease(kind, backend.data, 7, SEED);
      const server = await startServer({ data: backend.data, port: 0 });
      try {
        const db = server.admin.database;
        const counts = async () =>
          Object.fromEntries(
            (
              await db.read((tx) => tx.rows<{ member_id: string; n: number }>(sql`SELECT member_id, n::int AS n FROM member_row_count WHERE n <> 0`))
            ).map((r) => [r.member_id, r.n]),
          );
        const run = (q: ReturnType<typeof sql>) => db.write((tx) => tx.rows(q));

        // The backfill: usr_a has 3 actions, 1 enrollment, 1 champion row with 2 stage changes.
        expect(await counts()).toEqual({ usr_a: 7, usr_b: 1 });

        await run(
          sql`INSERT INTO user_action (id, user_id, action_type, occurred_at) VALUES ('act_b2', 'usr_b', 'enrolled', ${T}), ('act_c1', 'usr_c', 'enrolled', ${T})`,
        );
        expect(await counts()).toEqual({ usr_a: 7, usr_b: 2, usr_c: 1 });

        await run(sql`DELETE FROM user_action WHERE id = 'act_a1'`);
        expect(await counts()).toEqual({ usr_a: 6, usr_b: 2, usr_c: 1 });

        // An enrollment moved to another member; a champion row moved with its stage history.
        await run(sql`UPDATE enrollment SET user_id = 'usr_b' WHERE id = 'enr_a'`);
        expect(await counts()).toEqual({ usr_a: 5, usr_b: 3, usr_c: 1 });
        await run(sql`UPDATE champion SET user_id = 'usr_b' WHERE id = 'ch_a'`);
        expect(await counts()).toEqual({ usr_a: 2, usr_b: 6, usr_c: 1 });
        // An update that leaves the owner alone changes nothing.
        await run(sql`UPDATE champion SET stage = 'champion', stage_version = stage_version + 1 WHERE id = 'ch_a'`);
        expect(await counts()).toEqual({ usr_a: 2, usr_b: 6, usr_c: 1 });

        await run(sql`INSERT INTO champion (id, user_id, cohort_id, stage) VALUES ('ch_c', 'usr_c', NULL, 'candidate')`);
        await run(sql`UPDATE champion_stage_change SET champion_id = 'ch_c' WHERE id = 'csc_2'`);
        expect(await counts()).toEqual({ usr_a: 2, usr_b: 5, usr_c: 3 });
        await run(sql`DELETE FROM champion_stage_change WHERE id = 'csc_1'`);
        expect(await counts()).toEqual({ usr_a: 2, usr_b: 4, usr_c: 3 });

        // An erasure takes the member's count with them and leaves the others alone.
        await eraseUser(db, 'usr_b', 'test');
        expect(await counts()).toEqual({ usr_a: 2, usr_c: 3 });
        const stored = await db.read((tx) => tx.rows(sql`SELECT 1 FROM member_row_count WHERE member_id = 'usr_b'`));
        expect(stored).toEqual([]);

        // The triggers' counts agree with a count from the tables.
        const before = await counts();
        await run(sql`SELECT afh_member_rows_recount()`);
        expect(await counts()).toEqual(before);
      } finally {
        await server.close();
      }
    },
  );
});
