import { JSON_MAX_DEPTH, METADATA_MAX_BYTES, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../limits.js';
import { columnDecls, TABLES, type SyncTableName } from './tables.js';

// The CHECKs both drizzle schemas derive from the declaration (tables.ts), as SQL text: each
// schema wraps them in drizzle's check(). The text must stay byte for byte what the migrations
// already hold (drizzle-kit compares it), which is why the two dialects spell an enum list
// differently.

type Dialect = 'sqlite' | 'pg';

interface CheckSql {
  readonly name: string;
  readonly sql: string;
}

/**
 * `col` is one of `values`. SQLite gets an OR of equalities, not `IN (…)`: it evaluates a CHECK's
 * IN list by building a temporary index for it on every row written, which made the enum checks
 * cost more than the insert itself (a measured 5-6 µs of a user_action row's ~10; client
 * migration 0002). PostgreSQL has no such cost and keeps its IN list (server migration 0000).
 */
export function inList(dialect: Dialect, col: string, values: readonly string[]): string {
  return dialect === 'sqlite' ? `(${values.map((v) => `${col} = '${v}'`).join(' OR ')})` : `${col} IN (${values.map((v) => `'${v}'`).join(', ')})`;
}

/** One CHECK per enum column (`<prefix>_<column>_check`); a nullable one lets NULL through. */
export function enumChecks(table: SyncTableName, dialect: Dialect): CheckSql[] {
  const out: CheckSql[] = [];
  for (const [col, c] of columnDecls(table)) {
    if (c.kind !== 'enum') continue;
    const list = inList(dialect, col, c.values);
    out.push({ name: `${TABLES[table].checkPrefix}_${col}_check`, sql: c.nullable ? `${col} IS NULL OR ${list}` : list });
  }
  return out;
}

// Storable values (src/shared/storable.ts) as server CHECKs, so the server can never hold a row a
// laptop cannot store. PostgreSQL text and jsonb cannot hold a NUL or a lone surrogate at all; what
// is left is lengths, the timestamp range and JSON depth and size (server migration 0005_storable).
// Lengths as the zod schemas count them, in UTF-16 code units: char_length counts code points, and
// a character outside the BMP is two units; octet_length is never below the unit count, so the
// regexp runs only for text long enough to be in doubt.
const lengthWithin = (col: string, max: number, min: number) =>
  `${col} IS NULL OR (char_length(${col}) >= ${min} AND char_length(${col}) <= ${max} AND (octet_length(${col}) <= ${max} OR char_length(${col}) + regexp_count(${col}, '[\\U00010000-\\U0010FFFF]') <= ${max}))`;
const timeWithin = (col: string) => `${col} IS NULL OR (${col} >= '${TIMESTAMP_MIN}' AND ${col} < '${TIMESTAMP_MAX}')`;
// afh_json_storable (migration 0005): depth <= JSON_MAX_DEPTH and compact size <= METADATA_MAX_BYTES.
const jsonStorable = (col: string) => `afh_json_storable(${col}, ${JSON_MAX_DEPTH}, ${METADATA_MAX_BYTES})`;

/** The server's storable CHECKs of a table (`<prefix>_<column>_storable`): bounded text, timestamps in range, bounded JSON. */
export function storableChecks(table: SyncTableName): CheckSql[] {
  const out: CheckSql[] = [];
  for (const [col, c] of columnDecls(table)) {
    const sql =
      c.kind === 'text'
        ? lengthWithin(col, c.max, c.min)
        : c.kind === 'timestamp'
          ? timeWithin(col)
          : c.kind === 'jsonObject'
            ? jsonStorable(col)
            : null;
    if (sql !== null) out.push({ name: `${TABLES[table].checkPrefix}_${col}_storable`, sql });
  }
  return out;
}
