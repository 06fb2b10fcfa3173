import { sql, type SQL } from 'drizzle-orm';
import { columnDecls, type ColumnKind } from '../../shared/model/tables.js';
import type { RowOf, SyncTable } from '../../shared/rows.js';
import { tableIdent } from './storedWire.js';

// The one INSERT of wire rows into a synced table, its column list and types taken from the
// declaration (src/shared/model): the rows travel as one JSON parameter, so a batch of any
// size is one statement with no bind-parameter limit, and a single row is the same statement.

const PG_TYPE: { readonly [K in ColumnKind]: string } = {
  id: 'text',
  text: 'text',
  enum: 'text',
  enumArray: 'jsonb',
  jsonObject: 'jsonb',
  timestamp: 'timestamptz',
  version: 'integer',
};

/**
 * `INSERT … RETURNING id` of `rows`. `onConflict: 'skip'` leaves out a row that collides with
 * one already stored (any unique index), and it returns no id for it.
 */
export function insertRows<T extends SyncTable>(table: T, rows: readonly RowOf[T][], onConflict: 'raise' | 'skip'): SQL {
  const cols = columnDecls(table);
  const names = cols.map(([name]) => name).join(', ');
  const fromRecord = cols.map(([name]) => `r.${name}`).join(', ');
  const types = cols.map(([name, c]) => `${name} ${PG_TYPE[c.kind]}`).join(', ');
  return sql`INSERT INTO ${tableIdent(table)} (${sql.raw(names)})
    SELECT ${sql.raw(fromRecord)} FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r(${sql.raw(types)})
    ${sql.raw(onConflict === 'skip' ? 'ON CONFLICT DO NOTHING ' : '')}RETURNING id`;
}
