import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.js';
import { takeWritersLock } from './writeLock.js';

export type DbKind = 'pglite' | 'postgres';

/** What a transaction body may do: run SQL built with drizzle's `sql` and get plain rows back. */
export interface Tx {
  rows<T>(query: SQL): Promise<T[]>;
}

export interface Database {
  readonly kind: DbKind;
  /** A read-only REPEATABLE READ transaction: every statement sees one snapshot. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A read-write transaction that holds the writers' lock from its first statement (see writeLock.ts). */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle/server');

interface Executes {
  execute(query: SQL): PromiseLike<{ rows: unknown[] }>;
}
const txOf = (t: Executes): Tx => ({
  async rows<T>(query: SQL): Promise<T[]> {
    const r = await t.execute(query);
    return r.rows as T[];
  },
});

/** `data` is a folder (embedded PGlite kept there) or a postgres:// URL. Runs migrations before returning. */
export async function openDatabase(data: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(data)) return openPostgres(data);
  return openPglite(data);
}

async function openPglite(folder: string): Promise<Database> {
  mkdirSync(folder, { recursive: true });
  const client = await PGlite.create(folder);
  const db = drizzlePglite({ client, schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  // PGlite is one connection: its own mutex serialises transactions, but a bare query could
  // slip into another request's open transaction, so every access goes through a transaction.
  return {
    kind: 'pglite',
    read: (fn) => db.transaction((t) => fn(txOf(t)), { isolationLevel: 'repeatable read', accessMode: 'read only' }),
    write: (fn) =>
      db.transaction(async (t) => {
        await t.execute(takeWritersLock);
        return fn(txOf(t));
      }),
    close: () => client.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg({ client: pool, schema });
  await db.execute(sql`SET client_min_messages = warning`);
  await migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    kind: 'postgres',
    read: (fn) => db.transaction((t) => fn(txOf(t)), { isolationLevel: 'repeatable read', accessMode: 'read only' }),
    write: (fn) =>
      db.transaction(async (t) => {
        await t.execute(takeWritersLock);
        return fn(txOf(t));
      }),
    close: () => pool.end(),
  };
}
