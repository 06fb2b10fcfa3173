import { isAscii } from 'node:buffer';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PullResponse } from '../../shared/protocol.js';
import { SYNC_TABLES } from '../../shared/rows.js';
import { pullPageJson } from '../sync/pullPage.js';
import { push } from '../sync/push.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { MIGRATIONS_FOLDER, openServerDatabase, type Database } from './database.js';
import { tableIdent, wireJson } from './storedWire.js';

// Each synced row's stored `wire` text (trigger of migration 0002_wire_json) against the wire row
// computed from its columns (WIRE_JSON): after inserts, after updates through the push path,
// and for rows that existed before the migration (its backfill). Pull pages splice that text,
// so a drift here is a wrong row on every client.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

const CLIENT = '6a0d8f2e-31c4-4b7a-9d15-2e8c7f4a1b90';
// Text that JSON must escape, and spaces inside strings that compaction must keep.
const TRICKY = 'quote " backslash \\ newline \n tab \t ünïcødé 😀 </script> a: b, c';
const META = { s: TRICKY, 'key with: space': [1, 2.5, null, true, { deep: 'x , y' }], o: {}, e: [] };
// afh_compact_jsonb's fast path (no backslash, no ", " or ": " inside a string) and, without any
// backslash, strings that do hold separators (starting with ": ", ending with ", ").
const PLAIN_META = { module: 3, title: 'Some title here', tags: ['a b', 'c'], o: { x: null, y: [] } };
const SEPARATOR_META = { a: 'x, y', b: ': z', c: ['p, ', ', q', 'r: '], 'k, ': { ': ': 'ok' } };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function fresh(kind: (typeof BACKENDS)[number]): Promise<Backend> {
  const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
  cleanup.push(() => backend.dispose());
  return backend;
}

async function open(data: string): Promise<Database> {
  const db = await openServerDatabase(data);
  cleanup.push(() => db.close());
  return db;
}

/** Whitespace outside JSON string literals (a compact text has none). */
const spacesOutsideStrings = (json: string): string[] => json.replace(/"(?:[^"\\]|\\.)*"/g, '""').match(/\s+/g) ?? [];

/** Every row of every synced table: its stored text, the wire row from its columns, and its seq. */
async function storedAndTruth(db: Database) {
  return db.read(async (tx) => {
    const out: { table: string; id: string; wire: string; truth: Record<string, unknown>; seq: string }[] = [];
    for (const t of SYNC_TABLES) {
      const rows = await tx.rows<{ id: string; wire: string; truth: Record<string, unknown>; seq: string }>(
        sql`SELECT id, wire, ${wireJson(t)} AS truth, seq::text AS seq FROM ${tableIdent(t)} ORDER BY id`,
      );
      out.push(...rows.map((r) => ({ table: t, ...r })));
    }
    return out;
  });
}

function expectStoredMatchesTruth(rows: Awaited<ReturnType<typeof storedAndTruth>>): void {
  for (const r of rows) {
    const stored = JSON.parse(r.wire) as Record<string, unknown>;
    expect(stored, `${r.table} ${r.id}`).toEqual(r.truth);
    // Same keys in the same order as WIRE_JSON (toEqual alone ignores order).
    expect(Object.keys(stored), `${r.table} ${r.id}`).toEqual(Object.keys(r.truth));
    expect(spacesOutsideStrings(r.wire), `${r.table} ${r.id}: ${r.wire}`).toEqual([]);
  }
}

// One row in each table, with escapes, nulls, nested metadata and fractional-second timestamps.
const SEED: SQL[] = [
  sql`INSERT INTO "user" (id, email, name, origin, profile_img, roles, created_at) VALUES
    ('usr_c', 'c@x.test', 'Coord', NULL, NULL, '["admin", "superadmin"]', '2026-01-01T00:00:00Z'),
    ('usr_a', 'a@x.test', ${TRICKY}, 'import: "x"', 'https://img.test/a b.png', '[]', '2026-01-01T00:00:00.123456Z')`,
  sql`INSERT INTO cohort (id, name, starts_at, ends_at, status, created_at) VALUES
    ('coh_1', ${TRICKY}, '2026-02-01T09:30:00+02:00', NULL, 'active', '2026-01-02T00:00:00Z')`,
  sql`INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES
    ('enr_1', 'usr_a', 'coh_1', NULL, 'active', '2026-02-01T00:00:00.5Z')`,
  sql`INSERT INTO user_action (id, user_id, enrollment_id, action_type, target_type, target_id, metadata, source_system, source_event_id, idempotency_key, occurred_at) VALUES
    ('act_1', 'usr_a', 'enr_1', 'enrolled', NULL, NULL, ${JSON.stringify(META)}::jsonb, 'manual', 'ev 1', 'k1', '2026-01-03T00:00:00Z'),
    ('act_2', 'usr_a', NULL, 'enrolled', NULL, NULL, ${JSON.stringify(PLAIN_META)}::jsonb, NULL, NULL, NULL, '2026-01-03T00:00:00Z'),
    ('act_0', 'usr_a', NULL, 'enrolled', NULL, NULL, ${JSON.stringify(SEPARATOR_META)}::jsonb, NULL, NULL, NULL, '2026-01-03T00:00:00Z'),
    ('act_e', 'usr_a', NULL, 'enrolled', NULL, NULL, '{}', NULL, NULL, NULL, '2026-01-03T00:00:00Z')`,
  sql`INSERT INTO champion (id, user_id, cohort_id, stage, notes, selected_at, became_champion_at) VALUES
    ('ch_1', 'usr_a', 'coh_1', 'candidate', ${TRICKY}, NULL, NULL)`,
  sql`INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES
    ('csc_1', 'ch_1', NULL, 'candidate', '2026-01-04T00:00:00Z', 'usr_c', ${TRICKY})`,
];

async function seed(db: Database): Promise<void> {
  await db.write(async (tx) => {
    for (const q of SEED) await tx.rows(q);
  });
}

describe.each(BACKENDS)('stored wire text (%s)', (kind) => {
  it('after inserts and after champion.create/move/setNotes and action.record pushes, each row’s stored text parses to exactly its wire row from the columns, compact and in key order', async (t) => {
    if (kind === 'postgres' && !pgOk) return t.skip(SKIP_PG_MESSAGE);
    const db = await open((await fresh(kind)).data);
    await seed(db);
    expectStoredMatchesTruth(await storedAndTruth(db));

    const at = new Date(Date.now() - 60_000).toISOString();
    const record = (id: number, actId: string, key: string) => ({
      id,
      name: 'action.record' as const,
      args: {
        id: actId,
        userId: 'usr_a',
        enrollmentId: 'enr_1',
        actionType: 'enrolled' as const,
        targetType: null,
        targetId: null,
        metadata: META,
        occurredAt: at,
        idempotencyKey: key,
      },
    });
    const res = await push(db, 'usr_c', {
      protocol: 2,
      databaseId: null,
      ack: 0,
      clientId: CLIENT,
      mutations: [
        { id: 1, name: 'champion.create', args: { id: 'ch_2', userId: 'usr_c', cohortId: null, notes: '' } },
        { id: 2, name: 'champion.move', args: { id: 'ch_1', from: 'candidate', to: 'selected', at, reason: TRICKY, baseVersion: 1 } },
        { id: 3, name: 'champion.setNotes', args: { id: 'ch_1', notes: `${TRICKY} — édité`, baseNotes: TRICKY } },
        // Two in a row take the bulk insert path (recordActionsBulk), one alone the single-row path.
        record(4, 'act_3', 'k3'),
        record(5, 'act_4', 'k4'),
        { id: 6, name: 'champion.setNotes', args: { id: 'ch_2', notes: 'line\nbreak', baseNotes: '' } },
        record(7, 'act_5', 'k5'),
        // Stale (ch_1 is no longer a candidate, nor at the stage this move wanted): rejected with the
        // server's row, read from the stored text.
        { id: 8, name: 'champion.move', args: { id: 'ch_1', from: 'champion', to: 'alumni', at, reason: null, baseVersion: 1 } },
      ],
    });
    expect(res.results.map((r) => r.status)).toEqual([...Array(7).fill('applied'), 'rejected']);
    const rows = await storedAndTruth(db);
    const count = (table: string) => rows.filter((r) => r.table === table).length;
    // champion.create and champion.move each add a stage change.
    expect([count('champion'), count('champion_stage_change'), count('user_action')]).toEqual([2, 3, 7]);
    const ch1 = rows.find((r) => r.id === 'ch_1')!;
    expect(ch1.truth).toMatchObject({ stage: 'selected', notes: `${TRICKY} — édité` });
    expectStoredMatchesTruth(rows);
    expect(res.results[7]).toMatchObject({ code: 'stale', current: ch1.truth });

    // A pull page splices the stored text: valid JSON the client schema accepts, compact throughout.
    // Sent as ASCII (sync/asciiJson.ts): ü, ø, é and the emoji arrive as \u escapes of themselves.
    const bytes = await pullPageJson(db, 'usr_c', { clientId: CLIENT, cursor: null, limit: 1000 });
    expect(isAscii(bytes)).toBe(true);
    const text = bytes.toString('latin1');
    expect(spacesOutsideStrings(text)).toEqual([]);
    const page = PullResponse.parse(JSON.parse(text));
    const upserts = page.changes.flatMap((c) => (c.op === 'upsert' ? [c] : []));
    expect(upserts).toHaveLength(rows.length);
    for (const c of upserts) expect(c.row).toEqual(rows.find((r) => r.table === c.table && r.id === c.row.id)!.truth);
    // The column stays server-side: no change carries a `wire` key.
    expect(text).not.toMatch(/"wire"/);
  });

  it('rows that existed before the migration get their stored text from its backfill, keeping their seqs (no re-pull)', async (t) => {
    if (kind === 'postgres' && !pgOk) return t.skip(SKIP_PG_MESSAGE);
    const backend = await fresh(kind);
    const before = await atMigration(backend.data, '0001_seq_triggers', async (exec) => {
      for (const q of SEED) await exec(q);
      return (
        await exec(sql`SELECT (SELECT last_value FROM change_seq)::text AS top,
        (SELECT string_agg(id || '=' || seq, ',' ORDER BY id) FROM (SELECT id, seq FROM "user" UNION ALL SELECT id, seq FROM user_action
          UNION ALL SELECT id, seq FROM champion UNION ALL SELECT id, seq FROM champion_stage_change UNION ALL SELECT id, seq FROM cohort
          UNION ALL SELECT id, seq FROM enrollment) s) AS seqs`)
      )[0] as { top: string; seqs: string };
    });
    const db = await open(backend.data);
    const rows = await storedAndTruth(db);
    expect(rows).toHaveLength(10);
    expectStoredMatchesTruth(rows);
    const after = (await db.read((tx) => tx.rows<{ top: string }>(sql`SELECT last_value::text AS top FROM change_seq`)))[0]!;
    expect(after.top).toBe(before.top);
    const seqs = rows
      .map((r) => `${r.id}=${r.seq}`)
      .sort()
      .join(',');
    expect(seqs).toBe(before.seqs.split(',').sort().join(','));
    // The seq triggers are back on after the backfill: the next write takes a new seq.
    await db.write((tx) => tx.rows(sql`UPDATE champion SET notes = 'after' WHERE id = 'ch_1'`));
    const ch = (await storedAndTruth(db)).find((r) => r.id === 'ch_1')!;
    expect(BigInt(ch.seq)).toBeGreaterThan(BigInt(before.top));
    expect(JSON.parse(ch.wire)).toMatchObject({ notes: 'after' });
  });
});

type Exec = (q: SQL) => Promise<unknown[]>;

/** Migrate a fresh database only up to `lastTag`, run `fn` on it, and close it. */
async function atMigration<T>(data: string, lastTag: string, fn: (exec: Exec) => Promise<T>): Promise<T> {
  const folder = mkdtempSync(path.join(tmpdir(), 'afh-migrations-'));
  cleanup.push(async () => rmSync(folder, { recursive: true, force: true }));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = path.join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const keep = journal.entries.findIndex((e) => e.tag === lastTag) + 1;
  expect(keep).toBeGreaterThan(0);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, keep) }));
  if (/^postgres/.test(data)) {
    const pool = new pg.Pool({ connectionString: data, options: '-c client_min_messages=warning' });
    try {
      const d = drizzlePg({ client: pool });
      await migratePg(d, { migrationsFolder: folder });
      return await fn(async (q) => (await d.execute(q)).rows);
    } finally {
      await pool.end();
    }
  }
  const client = await PGlite.create(data);
  try {
    const d = drizzlePglite({ client });
    await migratePglite(d, { migrationsFolder: folder });
    return await fn(async (q) => (await d.execute(q)).rows);
  } finally {
    await client.close();
  }
}
