import type Database from 'better-sqlite3';
import { columnDecls, columnsOf } from '../../shared/model/tables.js';
import { SYNC_TABLES, type RowOf, type SyncTable } from '../../shared/rows.js';

// The one place that knows how a row on the wire (docs/protocol.md) maps to the local SQLite
// columns and back. Wire rows already use the tables' column names; only `roles` and
// `metadata` change representation (JSON value on the wire, JSON TEXT locally).

/** Column order of each mirrored table (its declaration's, src/shared/model), as used by the prepared statements below. */
const TABLE_COLUMNS: { readonly [T in SyncTable]: readonly (keyof RowOf[T] & string)[] } = {
  user: columnsOf('user'),
  cohort: columnsOf('cohort'),
  enrollment: columnsOf('enrollment'),
  user_action: columnsOf('user_action'),
  champion: columnsOf('champion'),
  champion_stage_change: columnsOf('champion_stage_change'),
};

/** Columns kept as JSON TEXT here and carried as JSON values on the wire. */
const JSON_COLUMNS: ReadonlySet<string> = new Set(
  SYNC_TABLES.flatMap((t) =>
    columnDecls(t)
      .filter(([, c]) => c.kind === 'enumArray' || c.kind === 'jsonObject')
      .map(([name]) => name),
  ),
);

export type SqlValue = string | number | null;

/** Per table, whether each column (in TABLE_COLUMNS order) is one of JSON_COLUMNS: looked up once, not per row. */
const JSON_AT: { readonly [T in SyncTable]: readonly boolean[] } = Object.fromEntries(
  SYNC_TABLES.map((t) => [t, TABLE_COLUMNS[t].map((c) => JSON_COLUMNS.has(c))]),
) as { [T in SyncTable]: boolean[] };

/** A wire row as the positional parameters of its table's upsert. */
export function toLocalValues<T extends SyncTable>(table: T, row: RowOf[T]): SqlValue[] {
  const r = row as unknown as Record<string, unknown>;
  const cols = TABLE_COLUMNS[table];
  const json = JSON_AT[table];
  // A plain loop: this runs for each of a first sync's million rows.
  const out = new Array<SqlValue>(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const v = r[cols[i]!];
    out[i] = json[i] ? JSON.stringify(v) : v === undefined ? null : (v as SqlValue);
  }
  return out;
}

/** A local row (as better-sqlite3 returns it) back to its wire shape. */
function fromLocal<T extends SyncTable>(table: T, local: Record<string, unknown>): RowOf[T] {
  const out: Record<string, unknown> = {};
  for (const c of TABLE_COLUMNS[table]) {
    const v = local[c];
    out[c] = JSON_COLUMNS.has(c) && typeof v === 'string' ? JSON.parse(v) : (v ?? null);
  }
  return out as unknown as RowOf[T];
}

const q = (name: string) => `"${name}"`;

/** `INSERT … ON CONFLICT(id) DO UPDATE` for a table: one prepared statement, reused for every row. */
export function upsertSql(table: SyncTable): string {
  const cols = TABLE_COLUMNS[table];
  const updates = cols.filter((c) => c !== 'id').map((c) => `${q(c)} = excluded.${q(c)}`);
  // Server rows replace optimistic ones; pending_mutation_id is cleared so a server stage
  // change is never mistaken for an optimistic one by the rebase.
  if (table === 'champion_stage_change') updates.push('"pending_mutation_id" = NULL');
  return `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT("id") DO UPDATE SET ${updates.join(', ')}`;
}

/** `INSERT … ON CONFLICT(id) DO NOTHING` for a table (an optimistic write); another unique index still raises. */
export function insertIfAbsentSql(table: SyncTable): string {
  const cols = TABLE_COLUMNS[table];
  return `INSERT INTO ${q(table)} (${cols.map(q).join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT("id") DO NOTHING`;
}

export function deleteSql(table: SyncTable): string {
  return `DELETE FROM ${q(table)} WHERE "id" = ?`;
}

/** Prepared upsert/delete statements per mirrored table. */
export interface TableStatements {
  upsert: Database.Statement;
  remove: Database.Statement;
}

export function prepareTableStatements(sqlite: Database.Database): { [T in SyncTable]: TableStatements } {
  const out = {} as { [T in SyncTable]: TableStatements };
  for (const t of SYNC_TABLES) out[t] = { upsert: sqlite.prepare(upsertSql(t)), remove: sqlite.prepare(deleteSql(t)) };
  return out;
}

/** Every mirrored row of a table in wire shape, ordered by id (for dumps and comparisons). */
export function dumpTable<T extends SyncTable>(sqlite: Database.Database, table: T): RowOf[T][] {
  const cols = TABLE_COLUMNS[table].map(q).join(', ');
  const rows = sqlite.prepare(`SELECT ${cols} FROM ${q(table)} ORDER BY "id"`).all() as Record<string, unknown>[];
  return rows.map((r) => fromLocal(table, r));
}

export function readRow<T extends SyncTable>(sqlite: Database.Database, table: T, id: string): RowOf[T] | null {
  const cols = TABLE_COLUMNS[table].map(q).join(', ');
  const r = sqlite.prepare(`SELECT ${cols} FROM ${q(table)} WHERE "id" = ?`).get(id) as Record<string, unknown> | undefined;
  return r ? fromLocal(table, r) : null;
}
