import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { PGlite, types, type Transaction as PgliteTransaction } from '@electric-sql/pglite';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema.js';
import { queryTextBytes } from './pgliteTextBytes.js';
import { refuseNewerServerRelease } from './serverReleaseCheck.js';
import { takeWritersLock } from './writeLock.js';

export type DbKind = 'pglite' | 'postgres';

/** What a transaction body may do: run SQL built with drizzle's `sql` and get plain rows back. */
export interface Tx {
  rows<T>(query: SQL): Promise<T[]>;
  /**
   * A statement that returns one row of one text column (a pull page's changes, built as one
   * JSON text in the database), that value as UTF-8 bytes ready to send; null for SQL NULL.
   * On PGlite the bytes never become a JS string (pgliteTextBytes.ts).
   */
  textBytes(query: SQL): Promise<Buffer | null>;
  /**
   * Bulk-load CSV with `COPY <target> FROM …` where the driver can (PGlite reads it from a
   * blob); undefined where it cannot, and callers fall back to multi-row INSERTs.
   */
  copyCsv?: (target: string, csv: string) => Promise<void>;
}

export interface Database {
  readonly kind: DbKind;
  /** A read-only REPEATABLE READ transaction: every statement sees one snapshot. */
  read<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * A read-write transaction that holds the writers' lock from its first statement (see
   * writeLock.ts), so rule checks and writes see no other writer in between. `lock: false` is
   * for transactions that touch only server-side tables (sessions, login failures): they need
   * no place in the change order, and a login should not queue behind a 1000-row ingest. (Any
   * write to a synced table still takes the lock in its trigger, so ordering never depends on
   * callers choosing right.)
   */
  write<T>(fn: (tx: Tx) => Promise<T>, opts?: { lock?: boolean }): Promise<T>;
  /**
   * VACUUM (ANALYZE) the whole database, outside any transaction (VACUUM cannot run in one).
   * After a bulk load: the first reader of each freshly written page otherwise sets its hint
   * bits and writes it back, which made every page of a first pull ~4x dearer (72 → 17 ms of
   * database time on the large demo set); it also fills the visibility map, so the pull's
   * seq-only bounds query is index-only. PGlite runs no autovacuum. Only while no requests are
   * in flight (start-up): on PGlite a bare statement would land in any open transaction.
   */
  vacuumAnalyze(): Promise<void>;
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
  async textBytes(query: SQL): Promise<Buffer | null> {
    const r = (await t.execute(query)).rows;
    if (r.length !== 1) throw new Error(`textBytes: expected one row, the statement returned ${r.length}`);
    const value = Object.values(r[0] as Record<string, unknown>)[0];
    if (value !== null && typeof value !== 'string') throw new Error('textBytes: the statement did not return text');
    return value === null ? null : Buffer.from(value, 'utf8');
  },
});

/** `data` is a folder (embedded PGlite kept there) or a postgres:// URL. Runs migrations before returning. */
export async function openServerDatabase(data: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(data)) return openPostgres(data);
  return openPglite(data);
}

// Timestamps stay strings, as drizzle's own PGlite driver does; rows never carry JS Dates.
const RAW_TIME_PARSERS = {
  [types.TIMESTAMP]: (v: string) => v,
  [types.TIMESTAMPTZ]: (v: string) => v,
  [types.INTERVAL]: (v: string) => v,
  [types.DATE]: (v: string) => v,
};

async function openPglite(folder: string): Promise<Database> {
  mkdirSync(folder, { recursive: true });
  const client = await PGlite.create(folder);
  try {
    await refuseNewerServerRelease(client, MIGRATIONS_FOLDER);
  } catch (err) {
    await client.close();
    throw err;
  }
  await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  // Queries are built with drizzle's `sql` and run on PGlite's own transaction object, which
  // also offers COPY from a blob (the fast path for loading the large demo set).
  // PGlite is one connection: its mutex serialises transactions, but a bare query could slip
  // into another request's open transaction, so every access goes through a transaction.
  const dialect = new PgDialect();
  const pgliteTx = (t: PgliteTransaction): Tx => ({
    async rows<T>(query: SQL): Promise<T[]> {
      const q = dialect.sqlToQuery(query);
      return (await t.query<T>(q.sql, q.params, { parsers: RAW_TIME_PARSERS })).rows;
    },
    // Inside `client.transaction`, which holds PGlite's lock: the raw messages cannot interleave with another query.
    textBytes: (query: SQL) => {
      const q = dialect.sqlToQuery(query);
      return queryTextBytes(client, q.sql, q.params);
    },
    async copyCsv(target: string, csv: string): Promise<void> {
      await t.query(`COPY ${target} FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
    },
  });
  return {
    kind: 'pglite',
    read: (fn) =>
      client.transaction(async (t) => {
        await t.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
        return fn(pgliteTx(t));
      }),
    write: (fn, opts) =>
      client.transaction(async (t) => {
        const tx = pgliteTx(t);
        if (opts?.lock !== false) await tx.rows(takeWritersLock);
        return fn(tx);
      }),
    vacuumAnalyze: async () => {
      await client.exec('VACUUM (ANALYZE)');
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  // client_min_messages: the migrator's "already exists, skipping" NOTICEs are noise in a server log.
  const pool = new pg.Pool({ connectionString: url, max: 10, options: '-c client_min_messages=warning' });
  // An idle client that errors (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const db = drizzlePg({ client: pool, schema });
  try {
    await refuseNewerServerRelease(pool, MIGRATIONS_FOLDER);
  } catch (err) {
    await pool.end();
    throw err;
  }
  await migratePg(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    kind: 'postgres',
    read: (fn) => db.transaction((t) => fn(txOf(t)), { isolationLevel: 'repeatable read', accessMode: 'read only' }),
    write: (fn, opts) =>
      db.transaction(async (t) => {
        if (opts?.lock !== false) await t.execute(takeWritersLock);
        return fn(txOf(t));
      }),
    vacuumAnalyze: async () => {
      await pool.query('VACUUM (ANALYZE)');
    },
    close: () => pool.end(),
  };
}
