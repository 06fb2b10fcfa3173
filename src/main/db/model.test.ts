import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, describe, expect, it } from 'vitest';
import { partialUniquesOf, SYNC_TABLES, TABLES, type ColumnDecl, type SyncTableName } from '../../shared/model/tables.js';
import { ROW_SCHEMAS } from '../../shared/rows.js';
import { dumpTable } from '../sync/wireRows.js';
import { champion, mirroredTables, userAction } from './schema.js';
import { tempDatabase } from './testing/tempDb.js';

// The client's drizzle tables take their columns from the one declaration (src/shared/model, via
// declaredColumns.ts; indexes, CHECKs and the localOnly columns stay in schema.ts). This checks
// the result against the declaration: every declared column, and only those plus the table's
// localOnly ones, with the declared nullability, default and type family; and the same of the
// migrated SQLite file itself, which a declaration changed without a migration no longer matches.

const DRIZZLE: { readonly [T in SyncTableName]: SQLiteTable } = mirroredTables;

/** A column as both sides can describe it: name, nullable, has a default, SQLite storage type. */
type Described = `${string} ${'null' | 'not null'} ${'default' | 'no default'} ${'TEXT' | 'INTEGER'}`;

const sqliteType = (c: ColumnDecl): 'TEXT' | 'INTEGER' => (c.kind === 'version' ? 'INTEGER' : 'TEXT');

/** What the declaration says a table's SQLite columns are (localOnly ones as the drizzle table has them). */
function declared(decl: (typeof TABLES)[SyncTableName]): Described[] {
  return Object.entries(decl.columns as Record<string, ColumnDecl>)
    .map(([name, c]): Described => `${name} ${c.nullable ? 'null' : 'not null'} ${'default' in c ? 'default' : 'no default'} ${sqliteType(c)}`)
    .sort();
}

function drizzleColumns(table: SQLiteTable, skip: readonly string[]): Described[] {
  return getTableConfig(table)
    .columns.filter((c) => !skip.includes(c.name))
    .map(
      (c): Described =>
        `${c.name} ${c.notNull ? 'not null' : 'null'} ${c.hasDefault ? 'default' : 'no default'} ${c.getSQLType() === 'integer' ? 'INTEGER' : 'TEXT'}`,
    )
    .sort();
}

/** Copy of the declaration with one column renamed: what a rename in one place only looks like. */
function renamed<T extends SyncTableName>(table: T, from: string, to: string): (typeof TABLES)[T] {
  const decl = TABLES[table];
  const columns = Object.fromEntries(Object.entries(decl.columns).map(([k, v]) => [k === from ? to : k, v]));
  return { ...decl, columns } as unknown as (typeof TABLES)[T];
}

const db = tempDatabase();
afterAll(() => db.dispose());

describe('the client schema against the one declaration (src/shared/model)', () => {
  it.each(SYNC_TABLES)('the drizzle table %s has exactly the declared columns (name, nullability, default, type) plus its localOnly ones', (t) => {
    expect(drizzleColumns(DRIZZLE[t], TABLES[t].localOnly)).toEqual(declared(TABLES[t]));
    const names = getTableConfig(DRIZZLE[t]).columns.map((c) => c.name);
    for (const local of TABLES[t].localOnly) expect(names).toContain(local);
  });

  it.each(SYNC_TABLES)('the migrated SQLite table %s has exactly the declared columns plus its localOnly ones', (t) => {
    const localOnly: readonly string[] = TABLES[t].localOnly;
    const info = db.app.sqlite.prepare(`SELECT name, type, "notnull" AS nn, dflt_value AS dflt FROM pragma_table_info(?)`).all(t) as {
      name: string;
      type: string;
      nn: number;
      dflt: string | null;
    }[];
    const actual = info
      .filter((c) => !localOnly.includes(c.name))
      // A primary key is NOT NULL in effect (drizzle declares it so) even where SQLite's pragma says otherwise.
      .map(
        (c): Described =>
          `${c.name} ${c.nn === 1 || c.name === 'id' ? 'not null' : 'null'} ${c.dflt === null ? 'no default' : 'default'} ${c.type.toUpperCase() === 'INTEGER' ? 'INTEGER' : 'TEXT'}`,
      )
      .sort();
    expect(actual).toEqual(declared(TABLES[t]));
  });

  it('the wire row schemas and the local column lists are the declared columns, in declaration order', () => {
    for (const t of SYNC_TABLES) {
      expect(Object.keys(ROW_SCHEMAS[t].shape)).toEqual(Object.keys(TABLES[t].columns));
      // dumpTable selects the wireRows column list; on an empty table it still prepares it.
      expect(dumpTable(db.app.sqlite, t)).toEqual([]);
    }
  });

  it.each(['user_action', 'champion'] as const)(
    'the migrated SQLite table %s has each declared partial unique index, on the declared columns, with the declared condition',
    (t) => {
      for (const u of partialUniquesOf(t)) {
        const row = db.app.sqlite.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).get(u.name) as
          { sql: string } | undefined;
        const ddl = (row?.sql ?? '').replace(/[`"]/g, '');
        expect(ddl, u.name).toContain(`CREATE UNIQUE INDEX ${u.name} ON ${t} (${u.columns.join(',')})`);
        expect(ddl, u.name).toContain(`WHERE ${u.where}`);
      }
    },
  );

  it('a column renamed in the declaration alone no longer matches the tables as they are (the comparison sees renames)', () => {
    expect(drizzleColumns(userAction, [])).not.toEqual(declared(renamed('user_action', 'target_id', 'target_ref')));
    expect(drizzleColumns(champion, [])).not.toEqual(declared(renamed('champion', 'notes', 'note')));
  });
});
