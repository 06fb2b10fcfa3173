import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { PullResponse, type Change } from '../../shared/protocol.js';
import { openServerDatabase, type Database } from '../db/database.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { pullPageJson } from './pullPage.js';

// The pages of a scoped coordinator's first sync (the expansion, docs/protocol.md "Scopes"): whole
// members in id order, as many as fit in `limit` rows, and a member bigger than `limit` alone.
// Sizing counts each member's rows (champion rows through their two partial user_id indexes).

const CLIENT = '4d1e0b7a-2c9f-4e83-b6a1-0f5d9c3e7a22';
const opened: { db: Database; backend: Backend }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.db.close();
    await o.backend.dispose();
  }
});

/**
 * Member m_00 … m_11 in cohort coh_in (m_12, m_13 in coh_out), with rows per member:
 * user + 1 enrollment + `actions[i]` actions; m_03 also a global champion row with 2 stage
 * changes, m_05 a cohort champion row with 1, m_07 the busiest (30 actions).
 */
const ACTIONS = [0, 2, 5, 1, 0, 3, 0, 30, 4, 0, 6, 1, 2, 2];
const EXPECTED_ROWS = ACTIONS.slice(0, 12).map((a, i) => 2 + a + (i === 3 ? 3 : 0) + (i === 5 ? 2 : 0));

async function seeded(kind: (typeof BACKENDS)[number]): Promise<Database> {
  const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
  const db = await openServerDatabase(backend.data);
  opened.push({ db, backend });
  const id = (i: number) => `m_${String(i).padStart(2, '0')}`;
  await db.write(async (tx) => {
    await tx.rows(sql`INSERT INTO cohort (id, name, status, created_at) VALUES
      ('coh_in', 'In', 'active', '2026-01-01T00:00:00Z'), ('coh_out', 'Out', 'active', '2026-01-01T00:00:00Z')`);
    await tx.rows(
      sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_c', 'c@x.test', 'Coord', '["admin"]', '2026-01-01T00:00:00Z')`,
    );
    // One statement a table: the scope triggers run once a statement.
    const members = ACTIONS.map((_, i) => sql`(${id(i)}, ${`${id(i)}@x.test`}, ${`Member ${i}`}, '["student"]', '2026-01-01T00:00:00Z')`);
    await tx.rows(sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ${sql.join(members, sql`, `)}`);
    const enrollments = ACTIONS.map((_, i) => sql`(${`enr_${i}`}, ${id(i)}, ${i < 12 ? 'coh_in' : 'coh_out'}, 'active', '2026-01-02T00:00:00Z')`);
    await tx.rows(sql`INSERT INTO enrollment (id, user_id, cohort_id, status, enrolled_at) VALUES ${sql.join(enrollments, sql`, `)}`);
    const actions = ACTIONS.flatMap((n, i) =>
      Array.from({ length: n }, (_, a) => sql`(${`act_${i}_${a}`}, ${id(i)}, 'viewed_module', 'app', '2026-01-03T00:00:00Z')`),
    );
    await tx.rows(sql`INSERT INTO user_action (id, user_id, action_type, source_system, occurred_at) VALUES ${sql.join(actions, sql`, `)}`);
    await tx.rows(
      sql`INSERT INTO champion (id, user_id, cohort_id, stage) VALUES ('ch_g', 'm_03', NULL, 'selected'), ('ch_c', 'm_05', 'coh_in', 'candidate')`,
    );
    await tx.rows(sql`INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by) VALUES
      ('csc_1', 'ch_g', NULL, 'candidate', '2026-01-04T00:00:00Z', 'usr_c'),
      ('csc_2', 'ch_g', 'candidate', 'selected', '2026-01-05T00:00:00Z', 'usr_c'),
      ('csc_3', 'ch_c', NULL, 'candidate', '2026-01-04T00:00:00Z', 'usr_c')`);
    await tx.rows(sql`INSERT INTO coordinator_scope (user_id, "all") VALUES ('usr_c', false)`);
    await tx.rows(sql`INSERT INTO coordinator_scope_cohort (user_id, cohort_id) VALUES ('usr_c', 'coh_in')`);
  });
  return db;
}

/** The member a member-table change belongs to. */
function ownerOf(c: Change, championOwner: Map<string, string>): string | null {
  if (c.op !== 'upsert') return null;
  const row = c.row as Record<string, unknown>;
  switch (c.table) {
    case 'user':
      return row.id as string;
    case 'cohort':
      return null;
    case 'champion_stage_change':
      return championOwner.get(row.champion_id as string) ?? null;
    default:
      return row.user_id as string;
  }
}

describe.each(BACKENDS)('scoped first sync pages (%s)', (kind) => {
  it('each page holds whole members in id order, as many as fit in the limit (one bigger than the limit alone), every row of each', async (t) => {
    if (kind === 'postgres' && !(await postgresReachable())) return t.skip(SKIP_PG_MESSAGE);
    const db = await seeded(kind);
    const championOwner = new Map([
      ['ch_g', 'm_03'],
      ['ch_c', 'm_05'],
    ]);
    for (const limit of [1, 4, 6, 7, 10, 13, 33, 1000]) {
      const pages: { members: string[]; rows: Map<string, number> }[] = [];
      let cursor: string | null = null;
      const remainings: number[] = [];
      for (;;) {
        const page = PullResponse.parse(JSON.parse((await pullPageJson(db, 'usr_c', { clientId: CLIENT, cursor, limit })).toString('utf8')));
        const rows = new Map<string, number>();
        const members: string[] = [];
        for (const c of page.changes) {
          const m = ownerOf(c, championOwner);
          if (m === null) continue;
          if (!rows.has(m)) members.push(m);
          rows.set(m, (rows.get(m) ?? 0) + 1);
        }
        if (members.length > 0) pages.push({ members, rows });
        remainings.push(page.remaining);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      // The progress estimate (members left counted on the first page, carried down in the cursor):
      // something is always left while more pages follow, and nothing after the last.
      for (const r of remainings.slice(0, -1)) expect(r).toBeGreaterThan(0);
      expect(remainings[remainings.length - 1]).toBe(0);
      const taken = pages.flatMap((p) => p.members);
      // Every member in scope, once, in id order: none split across pages, none outside the scope.
      expect(taken).toEqual(EXPECTED_ROWS.map((_, i) => `m_${String(i).padStart(2, '0')}`));
      for (const [i, m] of taken.entries()) expect(pages.find((p) => p.members.includes(m))!.rows.get(m)).toBe(EXPECTED_ROWS[i]);
      // Each page is full: within the limit (or one member alone), and the next member would not have fit.
      let next = 0;
      for (const p of pages) {
        const size = p.members.reduce((s, m) => s + p.rows.get(m)!, 0);
        if (p.members.length > 1) expect(size).toBeLessThanOrEqual(limit);
        next += p.members.length;
        if (next < EXPECTED_ROWS.length) expect(size + EXPECTED_ROWS[next]!).toBeGreaterThan(limit);
      }
    }
  });
});
