import { sql } from 'drizzle-orm';
import type { SyncTable } from '../../shared/rows.js';
import type { Database, Tx } from '../db/database.js';
import { hashPassword } from '../auth/passwords.js';
import { DEMO_COORDINATOR, DEMO_SIZES, DEMO_STUDENT, generateDemo, type DemoSize } from './generateDemo.js';

export type { DemoSize } from './generateDemo.js';

const COLUMNS: Record<SyncTable, string> = {
  user: 'id text, email text, name text, origin text, profile_img text, roles jsonb, created_at timestamptz',
  cohort: 'id text, name text, starts_at timestamptz, ends_at timestamptz, status text, created_at timestamptz',
  enrollment: 'id text, user_id text, cohort_id text, course_name text, status text, enrolled_at timestamptz',
  user_action:
    'id text, user_id text, enrollment_id text, action_type text, target_type text, target_id text, metadata jsonb, source_system text, source_event_id text, idempotency_key text, occurred_at timestamptz',
  champion:
    'id text, user_id text, cohort_id text, stage text, notes text, selected_at timestamptz, became_champion_at timestamptz, stage_version integer',
  champion_stage_change: 'id text, champion_id text, from_stage text, to_stage text, changed_at timestamptz, changed_by text, reason text',
};
const names = (cols: string) => cols.split(', ').map((c) => c.split(' ')[0]!).join(', ');

const csvField = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return `"${s.replace(/"/g, '""')}"`;
};

/**
 * Bulk load with COPY where the driver offers it (PGlite: several times faster than INSERT),
 * seqs drawn from change_seq in row order. Only valid while holding the writers' lock with
 * triggers off, which is how loadDemo calls it.
 */
async function copyWireRows(tx: Tx, table: SyncTable, rows: readonly object[]): Promise<boolean> {
  if (!tx.copyCsv || rows.length === 0) return false;
  const cols = names(COLUMNS[table]).split(', ');
  const r = await tx.rows<{ first: string }>(sql`SELECT nextval('change_seq')::text AS first`);
  let seq = BigInt(r[0]!.first);
  await tx.rows(sql`SELECT setval('change_seq', ${(seq + BigInt(rows.length - 1)).toString()}::bigint)`);
  const lines: string[] = [];
  for (const row of rows as Record<string, unknown>[]) lines.push(`${cols.map((c) => csvField(row[c])).join(',')},${seq++}`);
  await tx.copyCsv(`"${table}" (${cols.join(', ')}, seq)`, `${lines.join('\n')}\n`);
  return true;
}

/** Bulk insert wire rows: one statement per batch, rows passed as a single JSON parameter. */
export async function insertWireRows(tx: Tx, table: SyncTable, rows: readonly object[]): Promise<void> {
  const cols = names(COLUMNS[table]);
  await tx.rows(
    sql`INSERT INTO ${sql.raw(`"${table}"`)} (${sql.raw(cols)}, seq)
        SELECT ${sql.raw(cols)}, nextval('change_seq') FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(${sql.raw(COLUMNS[table])})`,
  );
}

/**
 * Load the demo data set and the two demo logins in one transaction (all or nothing). Skips if
 * the demo coordinator already exists, so restarting with --demo never duplicates data.
 * Returns false when skipped.
 */
export async function loadDemo(db: Database, size: DemoSize, log: (line: string) => void = () => undefined): Promise<boolean> {
  // Every restart with --demo lands here; the slow password hashes are only worth making when
  // the data is not there yet (the write below checks again, under the writers' lock).
  const already = await db.read((tx) => tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${DEMO_COORDINATOR.id}`));
  if (already.length > 0) {
    log('demo data already present; not loading it again');
    return false;
  }
  const creds = await Promise.all([DEMO_COORDINATOR, DEMO_STUDENT].map(async (u) => ({ id: u.id, ...(await hashPassword(u.password)) })));
  const loaded = await db.write(async (tx) => {
    const present = await tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${DEMO_COORDINATOR.id}`);
    if (present.length > 0) {
      log('demo data already present; not loading it again');
      return false;
    }
    // Per-row triggers would stamp seq one row at a time; with the writers' lock already held,
    // nextval() in the INSERT gives the same ordering, so skip them for speed where allowed
    // (it needs a superuser, which PGlite and the test PostgreSQL are; otherwise triggers run).
    const su = await tx.rows<{ su: boolean }>(sql`SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`);
    if (su[0]?.su) await tx.rows(sql`SET LOCAL session_replication_role = replica`);
    log(`loading the ${size} demo data set…`);
    const started = Date.now();
    const fast = su[0]?.su === true;
    // On a fresh database, secondary indexes are built once after the load instead of row by
    // row during it (the unique ones still check every row when they are re-created).
    const dropped = fast ? await dropSecondaryIndexes(tx) : [];
    let n = 0;
    for (const batch of generateDemo(size, undefined, 20_000)) {
      if (!(fast && (await copyWireRows(tx, batch.table, batch.rows)))) await insertWireRows(tx, batch.table, batch.rows);
      n += batch.rows.length;
    }
    for (const def of dropped) await tx.rows(sql.raw(def));
    for (const c of creds) await tx.rows(sql`INSERT INTO credential (user_id, salt, hash) VALUES (${c.id}, ${c.salt}, ${c.hash})`);
    if (su[0]?.su) await tx.rows(sql`SET LOCAL session_replication_role = origin`);
    const s = DEMO_SIZES[size];
    log(`demo ${size}: ${n} rows (${s.users} members, ${s.actions} actions) loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  });
  if (loaded) {
    // Freshly loaded pages: without this the first pull of each one writes it back (hint bits).
    const started = Date.now();
    await db.vacuumAnalyze();
    log(`vacuumed and analysed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return loaded;
}

/** Drop the synced tables' non-primary-key indexes; returns the statements that re-create them. */
async function dropSecondaryIndexes(tx: Tx): Promise<string[]> {
  const idx = await tx.rows<{ name: string; def: string }>(
    sql`SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename IN ('user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change')
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
  );
  for (const i of idx) await tx.rows(sql.raw(`DROP INDEX "${i.name}"`));
  return idx.map((i) => i.def);
}
