import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { TEST_PASSWORD_COST } from '../auth/passwords.js';
import { startServer, type RunningServer, type StartServerOptions } from '../startServer.js';

// Test support: a server on loopback (port 0) over a fresh PGlite folder or a fresh PostgreSQL
// database, so test files can run in parallel without sharing state.

const PG_ADMIN_URL = process.env.AFH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let probe: Promise<boolean> | null = null;
/** Whether the PostgreSQL of the build machines answers (a quick TCP probe, then a real query). */
export function postgresReachable(): Promise<boolean> {
  probe ??= new Promise<boolean>((resolve) => {
    const u = new URL(PG_ADMIN_URL);
    const s = connect({ host: u.hostname, port: Number(u.port || 5432) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  }).then(async (open) => {
    if (!open) return false;
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  });
  return probe;
}

export const SKIP_PG_MESSAGE = `PostgreSQL is not reachable at ${PG_ADMIN_URL}; the PostgreSQL variant of these tests is skipped (PGlite variant still runs).`;

export interface Backend {
  /** What to pass as `data` to startServer. */
  data: string;
  dispose(): Promise<void>;
}

export async function freshPglite(): Promise<Backend> {
  const dir = mkdtempSync(path.join(tmpdir(), 'afh-server-'));
  return { data: dir, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function freshPostgres(): Promise<Backend> {
  const name = `afh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    data: u.toString(),
    dispose: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export type BackendKind = 'pglite' | 'postgres';
export const BACKENDS: readonly BackendKind[] = ['pglite', 'postgres'];

export interface TestServer extends RunningServer {
  backend: Backend;
}

export async function startTestServer(kind: BackendKind, opts: Omit<StartServerOptions, 'data' | 'port' | 'host'> = {}): Promise<TestServer> {
  const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
  // Test servers hash at a token cost (explicitly: a server's default is the recommended cost),
  // unless a test asks for another; tests create and sign in dozens of users.
  const server = await startServer({ passwordCost: TEST_PASSWORD_COST, ...opts, data: backend.data, port: 0, host: '127.0.0.1' });
  return {
    ...server,
    backend,
    close: async () => {
      await server.close();
      await backend.dispose();
    },
  };
}
