import { sql } from 'drizzle-orm';
import type { SyncTable } from '../../shared/rows.js';
import type { Database, Tx } from '../db/database.js';
import { INGEST_KEY_SOURCES } from '../../shared/enums.js';
import { insertIngestKey } from '../auth/ingestKeys.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { insertUserWithCredential } from '../users.js';
import {
  DEMO_ANCHOR,
  DEMO_COORDINATOR,
  DEMO_COORDINATOR2,
  DEMO_LOGINS,
  DEMO_SIZES,
  generateDemo,
  demoScopes,
  type DemoSize,
} from './generateDemo.js';
import { assignScope } from '../scopes.js';

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
const names = (cols: string) =>
  cols
    .split(', ')
    .map((c) => c.split(' ')[0]!)
    .join(', ');

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

/** The demo's ingest key for each upstream system (and `platform`): secret `demo-ingest-<source>` (README). */
export const demoIngestSecret = (source: string): string => `demo-ingest-${source}`;

/**
 * Load the demo data set, the demo logins and the demo ingest keys in one transaction (all or
 * nothing). Skips the data if the demo coordinator already exists, so restarting with --demo
 * never duplicates it; a demo database made by an earlier release still gets the logins and
 * keys added since (ensureDemoAccess). Returns false when the data was skipped.
 */
export async function loadDemo(
  db: Database,
  size: DemoSize,
  hasher: PasswordHasher,
  log: (line: string) => void = () => undefined,
): Promise<boolean> {
  // Every restart with --demo lands here; the slow password hashes are only worth making when
  // something is missing (the write below checks again, under the writers' lock).
  const present = await presentDemoLogins(db);
  if (DEMO_LOGINS.every((d) => present.has(d.id))) {
    await db.write(async (tx) => {
      await ensureDemoKeys(tx);
      await ensureDemoScopes(tx);
    });
    log('demo data already present; not loading it again');
    return false;
  }
  const creds = new Map(await Promise.all(DEMO_LOGINS.map(async (u) => [u.id, await hasher.hash(u.password)] as const)));
  if (present.has(DEMO_COORDINATOR.id)) {
    await db.write((tx) => ensureDemoAccess(tx, creds));
    log('demo data already present; added the demo logins and ingest keys it lacked');
    return false;
  }
  const loaded = await db.write(async (tx) => {
    const again = await tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${DEMO_COORDINATOR.id}`);
    if (again.length > 0) {
      await ensureDemoAccess(tx, creds);
      log('demo data already present; not loading it again');
      return false;
    }
    await loadDataSet(tx, size, creds, log);
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

async function presentDemoLogins(db: Database): Promise<Set<string>> {
  const ids = JSON.stringify(DEMO_LOGINS.map((d) => d.id));
  const rows = await db.read((tx) =>
    tx.rows<{ id: string }>(sql`SELECT id FROM "user" WHERE id IN (SELECT jsonb_array_elements_text(${ids}::jsonb))`),
  );
  return new Set(rows.map((r) => r.id));
}

/** The whole data set, the logins' credentials, the keys and the scopes, inside the caller's write transaction. */
async function loadDataSet(tx: Tx, size: DemoSize, creds: ReadonlyMap<string, string>, log: (line: string) => void): Promise<void> {
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
  for (const [id, hash] of creds) await tx.rows(sql`INSERT INTO credential (user_id, hash) VALUES (${id}, ${hash})`);
  await ensureDemoKeys(tx);
  if (su[0]?.su) await tx.rows(sql`SET LOCAL session_replication_role = origin`);
  // The member row counts' triggers were off too (migration 0008): count once from the tables.
  if (fast) await tx.rows(sql`SELECT afh_member_rows_recount()`);
  // After the triggers are back on: the scope triggers fill scope_member from the loaded rows.
  await ensureDemoScopes(tx);
  const s = DEMO_SIZES[size];
  log(`demo ${size}: ${n} rows (${s.users} members, ${s.actions} actions) loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The demo logins a demo database lacks (one made before the superadmin existed), and the keys. */
async function ensureDemoAccess(tx: Tx, creds: ReadonlyMap<string, string>): Promise<void> {
  for (const d of DEMO_LOGINS) {
    const exists = await tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${d.id}`);
    if (exists.length > 0) continue;
    await insertUserWithCredential(
      tx,
      {
        id: d.id,
        email: d.email,
        name: d.name,
        roles: [...d.roles],
        password: d.password,
        origin: 'London, United Kingdom',
        createdAt: new Date(DEMO_ANCHOR - 400 * 86_400_000).toISOString(),
      },
      creds.get(d.id)!,
    );
  }
  await ensureDemoKeys(tx);
  await ensureDemoScopes(tx);
}

/** The demo coordinators' communities, where they have none yet (an operator's later change is kept). */
async function ensureDemoScopes(tx: Tx): Promise<void> {
  const n = (await tx.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM cohort`))[0]?.n ?? 0;
  if (n === 0) return;
  const scopes = demoScopes(n);
  const known = new Set((await tx.rows<{ id: string }>(sql`SELECT id FROM cohort`)).map((r) => r.id));
  for (const [who, cohortIds] of [
    [DEMO_COORDINATOR.id, scopes.coordinator],
    [DEMO_COORDINATOR2.id, scopes.coordinator2],
  ] as const) {
    const has = await tx.rows(sql`SELECT 1 FROM coordinator_scope WHERE user_id = ${who}`);
    const exists = await tx.rows(sql`SELECT 1 FROM "user" WHERE id = ${who}`);
    if (has.length === 0 && exists.length > 0) await assignScope(tx, who, { all: false, cohortIds: cohortIds.filter((c) => known.has(c)) });
  }
}

async function ensureDemoKeys(tx: Tx): Promise<void> {
  const have = new Set((await tx.rows<{ source: string }>(sql`SELECT source FROM ingest_key WHERE label = 'demo'`)).map((r) => r.source));
  for (const source of INGEST_KEY_SOURCES) {
    if (!have.has(source)) await insertIngestKey(tx, source, { label: 'demo', secret: demoIngestSecret(source) });
  }
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
