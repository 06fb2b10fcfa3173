import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type AppDb } from '../../src/main/db/open.js';
import { SyncEngine, type SyncEngineOptions } from '../../src/main/sync/engine.js';
import { LocalMutations } from '../../src/main/sync/localMutations.js';
import { Session } from '../../src/main/sync/session.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { dumpTable } from '../../src/main/sync/wireRows.js';
import { startServer, type RunningServer } from '../../src/server/startServer.js';
import { tableIdent, wireJson } from '../../src/server/db/storedWire.js';
import { SYNC_TABLES, type SyncTable } from '../../src/shared/rows.js';

// Real pieces for the sync integration tests: a server on loopback over an embedded PGlite
// in a temp folder, and clients that are real SQLite files with the real engine.

export const COORDINATOR = { id: 'usr_coord', email: 'coord@test.local', password: 'pw-coordinator-1', name: 'Casey Coordinator' };

export interface TestServer {
  server: RunningServer;
  url: string;
  port: number;
  dataDir: string;
  /** Stop and start again on the same port and data (a server restart). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface World {
  members: string[];
  cohorts: string[];
  enrollments: { id: string; userId: string }[];
  champions: string[];
}

/**
 * A migrated PGlite data folder with the coordinator's login, made once per version of the
 * server migrations and copied for each test server: creating a PGlite database from nothing
 * takes ~15 s of WASM initdb, copying the folder well under one.
 */
async function pgliteTemplate(): Promise<string> {
  const migrations = join(process.cwd(), 'drizzle', 'server');
  const hash = createHash('sha256');
  for (const f of readdirSync(migrations).sort()) if (f.endsWith('.sql')) hash.update(readFileSync(join(migrations, f)));
  const dir = join(tmpdir(), `afh-sync-pglite-template-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  const building = mkdtempSync(join(tmpdir(), 'afh-sync-pglite-building-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, data: building, demo: null });
  await server.admin.createUser({ ...COORDINATOR, roles: ['admin'] });
  // The tests written before scopes sync everything: this coordinator holds every community.
  await server.admin.setScope(COORDINATOR.id, { all: true, cohortIds: [] });
  await server.close();
  try {
    // Atomic: parallel test files building at once leave exactly one template.
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

const PG_ADMIN_URL = process.env.AFH_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the local PostgreSQL the brief describes is up (tests then also run against it). */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export type Backend = 'pglite' | 'postgres';

export async function startTestServer(backend: Backend = 'pglite'): Promise<TestServer> {
  const root = mkdtempSync(join(tmpdir(), 'afh-sync-srv-'));
  let dataDir = join(root, 'pg');
  let dropDatabase = async () => undefined;
  if (backend === 'postgres') {
    // A database of its own, so parallel test files never see each other's rows.
    const name = `afh_sync_${process.pid}_${randomBytes(4).toString('hex')}`;
    await pgAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    dataDir = url.toString();
    dropDatabase = () => pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  } else {
    cpSync(await pgliteTemplate(), dataDir, { recursive: true });
  }
  let server = await startServer({ host: '127.0.0.1', port: 0, data: dataDir, demo: null });
  if (backend === 'postgres') {
    await server.admin.createUser({ ...COORDINATOR, roles: ['admin'] });
    await server.admin.setScope(COORDINATOR.id, { all: true, cohortIds: [] });
  }
  // Every copy of the template would otherwise be the same database (sync_meta.database_id):
  // each test server stands for a database of its own.
  else await server.admin.database.write((tx) => tx.rows(sql`UPDATE sync_meta SET database_id = gen_random_uuid()`));
  const port = Number(new URL(server.url).port);
  let running = true;
  const ts: TestServer = {
    get server() {
      return server;
    },
    url: server.url,
    port,
    dataDir,
    async stop() {
      if (running) await server.close();
      running = false;
    },
    async restart() {
      await ts.stop();
      // The old listener's port can take a moment to be free again.
      for (let attempt = 0; ; attempt++) {
        try {
          server = await startServer({ host: '127.0.0.1', port, data: dataDir, demo: null });
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
          await sleep(250);
        }
      }
      running = true;
    },
    async close() {
      await ts.stop();
      await dropDatabase();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return ts;
}

/** Members, cohorts, enrollments and champion rows written straight into the server database. */
export async function seedWorld(s: TestServer, n: { members: number; cohorts: number; champions: number; actions?: number }): Promise<World> {
  const pad = (i: number) => String(i).padStart(4, '0');
  const members = Array.from({ length: n.members }, (_, i) => `usr_m${pad(i)}`);
  const cohorts = Array.from({ length: n.cohorts }, (_, i) => `coh_${pad(i)}`);
  const enrollments = members.map((m, i) => ({ id: `enr_${pad(i)}`, userId: m, cohortId: cohorts[i % cohorts.length] ?? null }));
  const champions = members.slice(0, n.champions).map((_, i) => `ch_seed_${pad(i)}`);
  await s.server.admin.database.write(async (tx) => {
    for (const c of cohorts) {
      await tx.rows(
        sql`INSERT INTO cohort (id, name, starts_at, ends_at, status, created_at) VALUES (${c}, ${'Cohort ' + c}, NULL, NULL, 'active', '2026-01-01T00:00:00Z')`,
      );
    }
    for (const [i, m] of members.entries()) {
      await tx.rows(
        sql`INSERT INTO "user" (id, email, name, origin, profile_img, roles, created_at)
            VALUES (${m}, ${m + '@example.org'}, ${'Member ' + i}, 'leeds', NULL, '["student"]'::jsonb, '2026-01-01T00:00:00Z')`,
      );
    }
    for (const e of enrollments) {
      await tx.rows(
        sql`INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES (${e.id}, ${e.userId}, ${e.cohortId}, 'Ten Keys', 'active', '2026-01-02T00:00:00Z')`,
      );
    }
    for (const [i, c] of champions.entries()) {
      await tx.rows(
        sql`INSERT INTO champion (id, user_id, cohort_id, stage, notes, selected_at, became_champion_at) VALUES (${c}, ${members[i]!}, NULL, 'candidate', '', NULL, NULL)`,
      );
      await tx.rows(
        sql`INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason) VALUES (${'csc_seed_' + pad(i)}, ${c}, NULL, 'candidate', '2026-01-03T00:00:00Z', ${COORDINATOR.id}, NULL)`,
      );
    }
    if ((n.actions ?? 0) > 0) {
      // One statement: row-by-row inserts through PGlite would dominate the test's time.
      await tx.rows(
        sql`INSERT INTO user_action (id, user_id, enrollment_id, action_type, target_type, target_id, metadata, source_system, source_event_id, idempotency_key, occurred_at)
            SELECT 'act_seed_' || i, 'usr_m' || lpad((i % ${members.length})::text, 4, '0'), NULL, 'viewed_module', 'module', 'mod_' || (i % 7),
                   jsonb_build_object('i', i), 'webhook', 'evt_seed_' || i, 'user_action:webhook:evt_seed_' || i,
                   timestamptz '2026-02-01T00:00:00Z' + make_interval(secs => i)
            FROM generate_series(0, ${(n.actions ?? 0) - 1}) AS i`,
      );
    }
  });
  return { members, cohorts, enrollments: enrollments.map(({ id, userId }) => ({ id, userId })), champions };
}

export interface TestClient {
  app: AppDb;
  file: string;
  session: Session;
  engine: SyncEngine;
  local: LocalMutations;
  close(): Promise<void>;
}

export function clientDir(): { dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'afh-sync-cli-'));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A signed-in client on its own SQLite file. */
export async function newClient(
  serverUrl: string,
  opts: Partial<Omit<SyncEngineOptions, 'app' | 'session'>> & { file?: string; signIn?: boolean } = {},
): Promise<TestClient> {
  const d = opts.file ? null : clientDir();
  const file = opts.file ?? join(d!.dir, 'local.sqlite');
  const app = openDatabase(file);
  const session = new Session(app, memoryTokenStore(), { fetch: opts.fetch });
  if (opts.signIn !== false) await session.signIn(serverUrl, COORDINATOR.email, COORDINATOR.password);
  const engine = new SyncEngine({ app, session, debounceMs: 50, ...opts });
  const local = new LocalMutations(app, { getUserId: () => session.user()?.id ?? null });
  return {
    app,
    file,
    session,
    engine,
    local,
    close: async () => {
      await engine.stop();
      app.close();
      d?.dispose();
    },
  };
}

export type Dump = Record<SyncTable, unknown[]>;

/** Every row of the six mirrored tables on the server, as wire rows ordered by id. */
export async function serverDump(s: TestServer): Promise<Dump> {
  return s.server.admin.database.read(async (tx) => {
    const out = {} as Dump;
    for (const t of SYNC_TABLES) {
      const rows = await tx.rows<{ row: unknown }>(sql`SELECT ${wireJson(t)} AS row FROM ${tableIdent(t)} ORDER BY id COLLATE "C"`);
      out[t] = rows.map((r) => r.row);
    }
    return out;
  });
}

export function localDump(app: AppDb): Dump {
  const out = {} as Dump;
  for (const t of SYNC_TABLES) out[t] = dumpTable(app.sqlite, t);
  return out;
}

/** Pending outbox rows and optimistic history rows: zero after a complete sync. */
export function leftovers(app: AppDb): { outbox: number; optimistic: number } {
  const n = (q: string) => (app.sqlite.prepare(q).get() as { n: number }).n;
  return {
    outbox: n('SELECT count(*) n FROM outbox'),
    optimistic: n('SELECT count(*) n FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL'),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The backends a sync regression test runs on: PGlite always, PostgreSQL when it answers. */
export const SYNC_BACKENDS: readonly Backend[] = (await postgresReachable()) ? ['pglite', 'postgres'] : ['pglite'];
if (!SYNC_BACKENDS.includes('postgres')) console.warn(`PostgreSQL is not reachable at ${PG_ADMIN_URL}; sync tests run on PGlite only.`);

/**
 * A fetch that can lose an answer on the way back: the request reaches the server and is
 * carried out, then the app sees a dropped connection (what a laptop sees when Wi-Fi goes as
 * the answer comes back).
 */
export function lossyFetch(): { fetch: typeof fetch; loseNext(path: 'push' | 'pull'): void; lost: number } {
  const pending = new Set<string>();
  const out = {
    lost: 0,
    loseNext(path: 'push' | 'pull') {
      pending.add(`/v1/sync/${path}`);
    },
    fetch: (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const res = await fetch(input, init);
      const path = new URL(String(input instanceof Request ? input.url : input)).pathname;
      if (pending.delete(path)) {
        await res.arrayBuffer();
        out.lost++;
        throw new TypeError('fetch failed: socket hang up');
      }
      return res;
    }) as typeof fetch,
  };
  return out;
}

export const championOn = (dump: Dump, id: string) =>
  dump.champion.find((r) => (r as { id: string }).id === id) as
    { id: string; user_id: string; stage: string; notes: string; cohort_id: string | null } | undefined;

/** A copy of a stopped server's database: its folder (PGlite) or a template database (PostgreSQL). */
export interface ServerBackup {
  restore(): Promise<void>;
}

/**
 * Take a backup of the server's whole database (stopping and restarting it around the copy),
 * and return a way to restore it later (again with the server stopped): what an operator
 * who restores last night's backup does.
 */
export async function backupServer(s: TestServer): Promise<ServerBackup> {
  await s.stop();
  let backup: ServerBackup;
  if (s.dataDir.startsWith('postgres')) {
    const live = new URL(s.dataDir).pathname.slice(1);
    const copy = `${live}_bak_${randomBytes(3).toString('hex')}`;
    await pgAdmin((c) => c.query(`CREATE DATABASE ${copy} TEMPLATE ${live}`));
    backup = {
      restore: async () => {
        await s.stop();
        await pgAdmin(async (c) => {
          await c.query(`DROP DATABASE ${live} WITH (FORCE)`);
          await c.query(`CREATE DATABASE ${live} TEMPLATE ${copy}`);
          await c.query(`DROP DATABASE ${copy}`);
        });
        await s.restart();
      },
    };
  } else {
    const copy = `${s.dataDir}-bak`;
    cpSync(s.dataDir, copy, { recursive: true });
    backup = {
      restore: async () => {
        await s.stop();
        rmSync(s.dataDir, { recursive: true, force: true });
        renameSync(copy, s.dataDir);
        await s.restart();
      },
    };
  }
  await s.restart();
  return backup;
}
