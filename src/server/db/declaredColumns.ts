import { sql } from 'drizzle-orm';
import { integer, jsonb, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { camelCase, type CamelCase } from '../../shared/model/camelCase.js';
import { columnDecls, partialUniquesOf, type ColumnDecl, type Columns, type SyncTableName } from '../../shared/model/tables.js';

// The server's drizzle columns of the six mirrored tables, derived from the one declaration
// (src/shared/model/tables.ts): keys are the camelCase of the declared names, SQL names the
// declared names, in declaration order. Timestamps are timestamptz read as strings, enum arrays
// and JSON objects jsonb, `version` an integer; the server-only `seq` and `wire` stay in schema.ts.

/** A timestamptz column read and written as the ISO string the wire carries. */
export const ts = <N extends string>(name: N) => timestamp(name, { withTimezone: true, mode: 'string' });

// One builder per column shape; each one's return type is that column's drizzle type.
const primaryId = <N extends string>(name: N) => text(name).primaryKey();
const requiredText = <N extends string>(name: N) => text(name).notNull();
const nullableText = <N extends string>(name: N) => text(name);
const textWithDefault = <N extends string>(name: N, value: string) => text(name).notNull().default(value);
const requiredTime = <N extends string>(name: N) => ts(name).notNull();
const nullableTime = <N extends string>(name: N) => ts(name);
const enumArray = <N extends string>(name: N) =>
  jsonb(name)
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::jsonb`);
const jsonObject = <N extends string>(name: N) =>
  jsonb(name)
    .$type<Record<string, unknown>>()
    .notNull()
    .default(sql`'{}'::jsonb`);
const version = <N extends string>(name: N, value: number) => integer(name).notNull().default(value);

/** The drizzle type of the declared column `N` (declaration `C`): the return type of the builder pgColumn picks for it. */
type PgColumn<N extends string, C> = N extends 'id'
  ? ReturnType<typeof primaryId<N>>
  : C extends { readonly kind: 'version' }
    ? ReturnType<typeof version<N>>
    : C extends { readonly kind: 'enumArray' }
      ? ReturnType<typeof enumArray<N>>
      : C extends { readonly kind: 'jsonObject' }
        ? ReturnType<typeof jsonObject<N>>
        : C extends { readonly kind: 'timestamp' }
          ? C extends { readonly nullable: true }
            ? ReturnType<typeof nullableTime<N>>
            : ReturnType<typeof requiredTime<N>>
          : C extends { readonly default: string }
            ? ReturnType<typeof textWithDefault<N>>
            : C extends { readonly nullable: true }
              ? ReturnType<typeof nullableText<N>>
              : ReturnType<typeof requiredText<N>>;

/** A table's declared columns as drizzle PostgreSQL column builders, keyed by the camelCase of each declared name. */
type PgColumns<T extends SyncTableName> = {
  -readonly [N in keyof Columns<T> & string as CamelCase<N>]: PgColumn<N, Columns<T>[N]>;
};

/** The builder for one declared column: the run-time twin of PgColumn (same choice, same order of tests). */
function pgColumn(name: string, c: ColumnDecl) {
  if (name === 'id') return primaryId(name);
  switch (c.kind) {
    case 'version':
      return version(name, c.default);
    case 'enumArray':
      return enumArray(name);
    case 'jsonObject':
      return jsonObject(name);
    case 'timestamp':
      return c.nullable ? nullableTime(name) : requiredTime(name);
    default:
      if ('default' in c && c.default !== undefined) return textWithDefault(name, c.default);
      return c.nullable ? nullableText(name) : requiredText(name);
  }
}

/** The drizzle columns of `table`, derived from its declaration: spread into pgTable beside the serverOnly `seq` and `wire`. */
export function pgColumns<T extends SyncTableName>(table: T): PgColumns<T> {
  const columns = Object.fromEntries(columnDecls(table).map(([name, c]) => [camelCase(name), pgColumn(name, c)]));
  // The one cast: the entries are built from the same declaration, by the same choice, that
  // PgColumns<T> reads from its literal type (pinned by model.test.ts).
  return columns as unknown as PgColumns<T>;
}

/** The table's partial unique indexes from its declaration, on its derived columns (spread into pgTable's extra config). */
export const pgPartialUniques = (table: SyncTableName, t: Record<string, AnyPgColumn>) =>
  partialUniquesOf(table).map((u) => {
    const [first, ...rest] = u.columns.map((c) => t[camelCase(c)]!);
    return uniqueIndex(u.name)
      .on(first!, ...rest)
      .where(sql.raw(u.where));
  });
