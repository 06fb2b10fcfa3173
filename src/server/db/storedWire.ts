import { sql, type SQL } from 'drizzle-orm';
import { columnDecls } from '../../shared/model/tables.js';
import { SYNC_TABLES, type RowOf, type SyncTable } from '../../shared/rows.js';

// Each synced table's row as it travels on the wire, built inside PostgreSQL (timestamps via
// afh_iso: UTC ISO-8601 with milliseconds). Two sources that must agree:
// - the stored `wire` column, kept by each table's trigger (drizzle/server/0002_wire_json.sql):
//   what pull pages and rejection `current` rows send, so no request builds JSON per row;
// - WIRE_JSON below, computed from the columns: the reference that test dumps use, so tests
//   compare what the trigger stored against the truth rather than against itself.

const iso = (col: string) => `afh_iso(${col})`;

/** `json_build_object` of a table's declared columns (src/shared/model), in declaration order, timestamps through afh_iso. */
const wireJsonOf = (table: SyncTable): string =>
  `json_build_object(${columnDecls(table)
    .map(([col, c]) => `'${col}', ${c.kind === 'timestamp' ? iso(col) : col}`)
    .join(', ')})`;

const WIRE_JSON = Object.fromEntries(SYNC_TABLES.map((t) => [t, wireJsonOf(t)])) as Record<SyncTable, string>;

/** SQL identifier of a synced table (`user` is reserved in PostgreSQL, so every name is quoted). */
export const tableIdent = (table: SyncTable): SQL => sql.raw(`"${table}"`);

/** The wire-row JSON computed from the columns, for a SELECT over that table (test dumps: the reference). */
export const wireJson = (table: SyncTable): SQL => sql.raw(WIRE_JSON[table]);

/** One row of a synced table as a wire row (from its stored `wire` text), or null when it does not exist. */
export async function wireRow<K extends SyncTable>(tx: { rows<T>(q: SQL): Promise<T[]> }, table: K, id: string): Promise<RowOf[K] | null> {
  const r = await tx.rows<{ row: RowOf[K] }>(sql`SELECT wire::json AS row FROM ${tableIdent(table)} WHERE id = ${id}`);
  return r[0]?.row ?? null;
}
