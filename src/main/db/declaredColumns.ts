import { sql } from 'drizzle-orm';
import { integer, text, uniqueIndex, type AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import { camelCase, type CamelCase } from '../../shared/model/camelCase.js';
import { columnDecls, partialUniquesOf, type ColumnDecl, type Columns, type SyncTableName } from '../../shared/model/tables.js';

// The client's drizzle columns of the six mirrored tables, derived from the one declaration
// (src/shared/model/tables.ts): keys are the camelCase of the declared names, SQL names the
// declared names, in declaration order. Timestamps, enums and JSON are TEXT here (JSON checked by
// CHECKs and triggers in schema.ts and the migrations); `version` is an INTEGER.

// One builder per column shape; each one's return type is that column's drizzle type.
const primaryId = <N extends string>(name: N) => text(name).primaryKey();
const requiredText = <N extends string>(name: N) => text(name).notNull();
const nullableText = <N extends string>(name: N) => text(name);
const textWithDefault = <N extends string>(name: N, value: string) => text(name).notNull().default(value);
const version = <N extends string>(name: N, value: number) => integer(name).notNull().default(value);

/** The drizzle type of the declared column `N` (declaration `C`): the return type of the builder sqliteColumn picks for it. */
type SqliteColumn<N extends string, C> = N extends 'id'
  ? ReturnType<typeof primaryId<N>>
  : C extends { readonly kind: 'version' }
    ? ReturnType<typeof version<N>>
    : C extends { readonly default: string }
      ? ReturnType<typeof textWithDefault<N>>
      : C extends { readonly nullable: true }
        ? ReturnType<typeof nullableText<N>>
        : ReturnType<typeof requiredText<N>>;

/** A table's declared columns as drizzle SQLite column builders, keyed by the camelCase of each declared name. */
type SqliteColumns<T extends SyncTableName> = {
  -readonly [N in keyof Columns<T> & string as CamelCase<N>]: SqliteColumn<N, Columns<T>[N]>;
};

/** The builder for one declared column: the run-time twin of SqliteColumn (same choice, same order of tests). */
function sqliteColumn(name: string, c: ColumnDecl) {
  if (name === 'id') return primaryId(name);
  if (c.kind === 'version') return version(name, c.default);
  if ('default' in c && c.default !== undefined) return textWithDefault(name, c.default);
  return c.nullable ? nullableText(name) : requiredText(name);
}

/** The drizzle columns of `table`, derived from its declaration: spread into sqliteTable (beside any localOnly column). */
export function sqliteColumns<T extends SyncTableName>(table: T): SqliteColumns<T> {
  const columns = Object.fromEntries(columnDecls(table).map(([name, c]) => [camelCase(name), sqliteColumn(name, c)]));
  // The one cast: the entries are built from the same declaration, by the same choice, that
  // SqliteColumns<T> reads from its literal type (pinned by model.test.ts and declaredColumns.test.ts).
  return columns as unknown as SqliteColumns<T>;
}

/** The table's partial unique indexes from its declaration, on its derived columns (spread into sqliteTable's extra config). */
export const sqlitePartialUniques = (table: SyncTableName, t: Record<string, AnySQLiteColumn>) =>
  partialUniquesOf(table).map((u) => {
    const [first, ...rest] = u.columns.map((c) => t[camelCase(c)]!);
    return uniqueIndex(u.name)
      .on(first!, ...rest)
      .where(sql.raw(u.where));
  });
