import { sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, describe, expect, it } from 'vitest';
import { partialUniquesOf, SYNC_TABLES, TABLES, type ColumnDecl, type ColumnKind, type SyncTableName } from '../../shared/model/tables.js';
import { freshPglite } from '../testing/testBackends.js';
import { openServerDatabase } from './database.js';
import { champion, mirroredTables, userAction } from './schema.js';

// The server's drizzle tables take their columns from the one declaration (src/shared/model, via
// declaredColumns.ts; foreign keys, indexes, CHECKs and the serverOnly seq and wire stay in
// schema.ts). This checks the result against the declaration: every declared column, and only
// those plus the serverOnly ones, with the declared nullability, default and type; and the same of
// the migrated database itself (PGlite), which a declaration changed without a migration no longer matches.

const DRIZZLE: { readonly [T in SyncTableName]: PgTable } = mirroredTables;

const PG_TYPE: { readonly [K in ColumnKind]: string } = {
  id: 'text',
  text: 'text',
  enum: 'text',
  enumArray: 'jsonb',
  jsonObject: 'jsonb',
  timestamp: 'timestamp with time zone',
  version: 'integer',
};

const describeDecl = (name: string, c: ColumnDecl) =>
  `${name} ${c.nullable ? 'null' : 'not null'} ${'default' in c ? 'default' : 'no default'} ${PG_TYPE[c.kind]}`;
const describeCol = (name: string, notNull: boolean, hasDefault: boolean, type: string) =>
  `${name} ${notNull ? 'not null' : 'null'} ${hasDefault ? 'default' : 'no default'} ${type}`;

function declared(decl: (typeof TABLES)[SyncTableName]): string[] {
  return Object.entries(decl.columns as Record<string, ColumnDecl>)
    .map(([name, c]) => describeDecl(name, c))
    .sort();
}

function drizzleColumns(table: PgTable, skip: readonly string[]): string[] {
  return getTableConfig(table)
    .columns.filter((c) => !skip.includes(c.name))
    .map((c) => describeCol(c.name, c.notNull, c.hasDefault, c.getSQLType()))
    .sort();
}

function renamed<T extends SyncTableName>(table: T, from: string, to: string): (typeof TABLES)[T] {
  const decl = TABLES[table];
  const columns = Object.fromEntries(Object.entries(decl.columns).map(([k, v]) => [k === from ? to : k, v]));
  return { ...decl, columns } as unknown as (typeof TABLES)[T];
}

const backend = await freshPglite();
const db = await openServerDatabase(backend.data);
afterAll(async () => {
  await db.close();
  await backend.dispose();
});

describe('the server schema against the one declaration (src/shared/model)', () => {
  it.each(SYNC_TABLES)('the drizzle table %s has exactly the declared columns (name, nullability, default, type) plus seq and wire', (t) => {
    const serverOnly: readonly string[] = TABLES[t].serverOnly;
    expect(drizzleColumns(DRIZZLE[t], serverOnly)).toEqual(declared(TABLES[t]));
    expect(getTableConfig(DRIZZLE[t]).columns.map((c) => c.name)).toEqual(expect.arrayContaining([...serverOnly]));
  });

  it.each(SYNC_TABLES)('the migrated table %s has exactly the declared columns plus seq and wire', async (t) => {
    const serverOnly: readonly string[] = TABLES[t].serverOnly;
    const cols = await db.read((tx) =>
      tx.rows<{ name: string; nullable: string; dflt: string | null; type: string }>(
        sql`SELECT column_name AS name, is_nullable AS nullable, column_default AS dflt, data_type AS type
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${t}`,
      ),
    );
    const actual = cols
      .filter((c) => !serverOnly.includes(c.name))
      .map((c) => describeCol(c.name, c.nullable === 'NO', c.dflt !== null, c.type))
      .sort();
    expect(actual).toEqual(declared(TABLES[t]));
    expect(cols.map((c) => c.name)).toEqual(expect.arrayContaining([...serverOnly]));
  });

  it.each(['user_action', 'champion'] as const)(
    'the migrated table %s has each declared partial unique index, on the declared columns, with the declared condition',
    async (t) => {
      for (const u of partialUniquesOf(t)) {
        const rows = await db.read((tx) => tx.rows<{ def: string }>(sql`SELECT indexdef AS def FROM pg_indexes WHERE indexname = ${u.name}`));
        const def = rows[0]?.def ?? '';
        expect(def, u.name).toContain(`CREATE UNIQUE INDEX ${u.name} ON`);
        expect(def, u.name).toContain(`(${u.columns.join(', ')})`);
        // PostgreSQL prints the condition back in its own spelling; each declared test is in it.
        for (const part of u.where.split(' AND ')) expect(def, u.name).toContain(part);
      }
    },
  );

  it('a column renamed in the declaration alone no longer matches the tables as they are (the comparison sees renames)', () => {
    expect(drizzleColumns(userAction, TABLES.user_action.serverOnly)).not.toEqual(declared(renamed('user_action', 'target_id', 'target_ref')));
    expect(drizzleColumns(champion, TABLES.champion.serverOnly)).not.toEqual(declared(renamed('champion', 'notes', 'note')));
  });
});
