import { existsSync, statSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/main/cli/main.js';
import { openDatabase } from '../../src/main/db/open.js';
import { LocalMutations } from '../../src/main/sync/localMutations.js';
import { clientDir, COORDINATOR, newClient, seedWorld, serverDump, startTestServer, type TestServer, type World } from './harness.js';

let s: TestServer;
let world: World;
let dir: ReturnType<typeof clientDir>;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 12, cohorts: 2, champions: 4, actions: 300 });
  dir = clientDir();
});
afterAll(async () => {
  dir?.dispose();
  await s?.close();
});

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = { AFH_EMAIL: process.env.AFH_EMAIL, AFH_PASSWORD: process.env.AFH_PASSWORD };
  Object.assign(process.env, { AFH_EMAIL: undefined, AFH_PASSWORD: undefined });
  delete process.env.AFH_EMAIL;
  delete process.env.AFH_PASSWORD;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  try {
    const code = await main(args, { out: (x) => (out += x), err: (x) => (err += x) });
    return { code, out, err };
  } finally {
    delete process.env.AFH_EMAIL;
    delete process.env.AFH_PASSWORD;
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

const creds = { AFH_EMAIL: COORDINATOR.email, AFH_PASSWORD: COORDINATOR.password };

describe('the sync CLI', () => {
  it('documents its exit codes and refuses bad usage with code 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.out).toMatch(/Exit codes:[\s\S]*4 {2}sync done, but conflicts/);
    expect((await cli(['sync'])).code).toBe(EXIT.usage);
    expect((await cli(['frobnicate', '--db', 'x'])).err).toMatch(/unknown command "frobnicate"/);
    expect((await cli(['sync', '--db', join(dir.dir, 'u.sqlite'), '--server', 'ftp://x'])).err).toMatch(/--server must be an http/);
    expect((await cli(['status', '--db', join(dir.dir, 'missing.sqlite')])).code).toBe(EXIT.usage);
    expect((await cli(['sync', '--db', join(dir.dir, 'u.sqlite'), '--pull-limit', '0'])).err).toMatch(/--pull-limit must be a whole number/);
  });

  it('answers 3 for a wrong password or a missing sign-in, and 1 when the server is unreachable', async () => {
    const db = join(dir.dir, 'auth.sqlite');
    const wrong = await cli(['login', '--db', db, '--server', s.url], { AFH_EMAIL: COORDINATOR.email, AFH_PASSWORD: 'nope' });
    expect(wrong).toMatchObject({ code: EXIT.auth, err: 'Wrong email or password.\n' });
    expect((await cli(['sync', '--db', db])).code).toBe(EXIT.auth);
    const down = await cli(['sync', '--db', join(dir.dir, 'down.sqlite'), '--server', 'http://127.0.0.1:9'], creds);
    expect(down.code).toBe(EXIT.syncFailed);
    expect(down.err).toMatch(/Can't reach the server at http:\/\/127\.0\.0\.1:9/);
  });

  it('logs in, keeps the token in a 0600 file, syncs, and reports status as one JSON object', async () => {
    const db = join(dir.dir, 'main.sqlite');
    const login = await cli(['login', '--db', db, '--server', s.url], creds);
    expect(login.code).toBe(EXIT.ok);
    expect(login.out).toMatch(/Signed in to http:\/\/127\.0\.0\.1:\d+ as Casey Coordinator/);
    expect(statSync(`${db}.token`).mode & 0o777).toBe(0o600);

    const sync = await cli(['sync', '--db', db, '--json', '--pull-limit', '100']);
    expect(sync.code).toBe(EXIT.ok);
    const result = JSON.parse(sync.out) as { ok: boolean; rowsApplied: number };
    expect(result.ok).toBe(true);

    const status = await cli(['status', '--db', db, '--json']);
    const parsed = JSON.parse(status.out) as { pending: number; lastSyncedAt: string; conflicts: number; counts: Record<string, number> };
    const server = await serverDump(s);
    expect(parsed).toEqual({
      pending: 0,
      lastSyncedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
      conflicts: 0,
      counts: Object.fromEntries(Object.entries(server).map(([t, rows]) => [t, rows.length])),
    });
    expect(status.out.trim().split('\n')).toHaveLength(1);

    const search = await cli(['search', '--db', db, '--query', 'member 1', '--json']);
    const items = (JSON.parse(search.out) as { items: { id: string }[] }).items.map((m) => m.id);
    expect(items).toContain(world.members[1]);
  });

  it.skipIf(process.platform === 'win32')('makes a missing --db folder 0700, the database 0600 and the token file 0600', async () => {
    const db = join(dir.dir, 'made', 'by-cli', 'x.sqlite');
    const login = await cli(['login', '--db', db, '--server', s.url], creds);
    expect(login.code).toBe(EXIT.ok);
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect([mode(join(dir.dir, 'made')), mode(join(dir.dir, 'made', 'by-cli'))]).toEqual([0o700, 0o700]);
    expect([mode(db), mode(`${db}.token`)]).toEqual([0o600, 0o600]);
  });

  it('exits 4 when a sync leaves conflicts for the coordinator', async () => {
    const db = join(dir.dir, 'conflict.sqlite');
    expect((await cli(['sync', '--db', db, '--server', s.url], creds)).code).toBe(EXIT.ok);
    const app = openDatabase(db);
    try {
      new LocalMutations(app, { getUserId: () => COORDINATOR.id }).setNotes({ id: world.champions[0]!, notes: 'mine, written offline' });
    } finally {
      app.close();
    }
    const other = await newClient(s.url);
    try {
      await other.engine.syncNow();
      other.local.setNotes({ id: world.champions[0]!, notes: 'theirs, synced first' });
      await other.engine.syncNow();
    } finally {
      await other.close();
    }
    const r = await cli(['sync', '--db', db]);
    expect(r.code).toBe(EXIT.conflicts);
    expect(r.out).toMatch(/1 conflicts/);
  });
});

describe('the sync CLI on a revoked device', () => {
  it('deletes its database and token, and says why', async () => {
    const db = join(dir.dir, 'revoked.sqlite');
    expect((await cli(['sync', '--db', db, '--server', s.url], creds)).code).toBe(EXIT.ok);
    const local = openDatabase(db);
    const { client_id: clientId } = local.sqlite.prepare('SELECT client_id FROM sync_state').get() as { client_id: string };
    local.close();
    await s.server.admin.database.write((tx) => tx.rows(sql`UPDATE device SET revoked_at = now() WHERE client_id = ${clientId}`));
    const r = await cli(['sync', '--db', db]);
    expect(r.err).toMatch(/An administrator signed this laptop out/);
    for (const f of [db, `${db}-wal`, `${db}-shm`, `${db}.token`]) expect(existsSync(f), f).toBe(false);
  });
});
