import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestAction } from '../../shared/protocol.js';
import { startServer } from '../startServer.js';
import { apiClient, type ApiClient } from '../testing/httpClient.js';
import {
  BACKENDS,
  freshPglite,
  freshPostgres,
  postgresReachable,
  SKIP_PG_MESSAGE,
  startTestServer,
  type TestServer,
} from '../testing/testBackends.js';
import { revokeIngestKey } from './ingestKeys.js';

// Issue 14, item 5: ingest takes an upstream system's own key, bound to its source_system; a
// coordinator's session is refused. Real HTTP on loopback over PGlite and PostgreSQL, and the
// server CLI as an operator runs it.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);
const T0 = '2026-04-01T10:00:00Z';
const PASSWORD = 'correct horse battery staple';
/** Whether this branch's contract lets an action have no source (issue 11, finding 13). */
const nullSourceStorable = IngestAction.shape.source_system.safeParse(null).success;

describe.each(BACKENDS)('ingest keys on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let server: TestServer;
  let api: ApiClient;
  const action = (over: Record<string, unknown> = {}) => ({
    user_id: 'usr_member',
    action_type: 'viewed_module',
    source_system: 'segment',
    source_event_id: randomUUID(),
    occurred_at: T0,
    ...over,
  });
  const count = async (eventIds: string[]) =>
    (
      await server.admin.database.read((tx) =>
        tx.rows<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM user_action WHERE source_event_id IN (SELECT jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))`,
        ),
      )
    )[0]!.n;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(kind);
    api = apiClient(server.url);
    await server.admin.createUser({ id: 'usr_member', email: 'member@test.local', name: 'Member', roles: ['student'], password: PASSWORD });
    for (const [id, roles] of [
      ['usr_coord', ['admin']],
      ['usr_super', ['superadmin']],
    ] as const)
      await server.admin.createUser({ id, email: `${id}@test.local`, name: id, roles: [...roles], password: PASSWORD });
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  const login = async (email: string) => (await api.post<{ token: string }>('/v1/auth/login', { email, password: PASSWORD })).body.token;

  it.skipIf(skip)('a coordinator’s or superadmin’s session gets 403 on ingest; no credential or an unknown one gets 401', async () => {
    for (const email of ['usr_coord@test.local', 'usr_super@test.local']) {
      const r = await api.post('/v1/ingest/actions', { actions: [action()] }, await login(email));
      expect(r.status, email).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'forbidden' } });
    }
    expect((await api.post('/v1/ingest/actions', { actions: [action()] })).status).toBe(401);
    expect((await api.post('/v1/ingest/actions', { actions: [action()] }, 'afh_ik_not-a-key')).status).toBe(401);
  });

  it.skipIf(skip)(
    'a segment key writes segment rows, and a batch with one stripe row is 403 naming that row’s source_system, writing nothing',
    async () => {
      const key = (await server.admin.createIngestKey('segment')).secret;
      const ok = action();
      const r = await api.post<{ results: { status: string }[] }>('/v1/ingest/actions', { actions: [ok] }, key);
      expect(r.status).toBe(200);
      expect(r.body.results[0]!.status).toBe('inserted');
      const mixed = [action(), action({ source_system: 'stripe' })];
      const refused = await api.post('/v1/ingest/actions', { actions: mixed }, key);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: { code: 'forbidden', field: 'actions[1].source_system' } });
      expect(await count(mixed.map((a) => a.source_event_id))).toBe(0);
    },
  );

  it.skipIf(skip)('a platform key writes rows of every upstream source in one batch, but never `manual` ones', async () => {
    const key = (await server.admin.createIngestKey('platform', { label: 'platform back end' })).secret;
    const actions = ['webhook', 'app', 'stripe', 'segment', 'cron_worker'].map((source_system) => action({ source_system }));
    const r = await api.post<{ results: { status: string }[] }>('/v1/ingest/actions', { actions }, key);
    expect(r.status).toBe(200);
    expect(r.body.results.map((x) => x.status)).toEqual(Array(5).fill('inserted'));
    const manual = await api.post('/v1/ingest/actions', { actions: [action({ source_system: 'manual' })] }, key);
    expect(manual.status).toBe(400);
    expect(manual.body).toMatchObject({ error: { field: 'actions[0].source_system' } });
  });

  it.skipIf(skip)(
    `an action with no source is refused for a segment key${nullSourceStorable ? ' and stored for a platform key' : ' (and, on this branch, for every key: null sources are not yet in the contract)'}`,
    async () => {
      const segment = (await server.admin.createIngestKey('segment')).secret;
      const platform = (await server.admin.createIngestKey('platform')).secret;
      const a = action({ source_system: null });
      const bySegment = await api.post('/v1/ingest/actions', { actions: [a] }, segment);
      expect([400, 403]).toContain(bySegment.status);
      expect(bySegment.body).toMatchObject({ error: { field: 'actions[0].source_system' } });
      const byPlatform = await api.post('/v1/ingest/actions', { actions: [a] }, platform);
      if (nullSourceStorable) {
        expect(byPlatform.status).toBe(200);
        expect(await count([a.source_event_id])).toBe(1);
      } else {
        expect(byPlatform.status).toBe(400);
        expect(await count([a.source_event_id])).toBe(0);
      }
    },
  );

  it.skipIf(skip)('a revoked key gets 401; keys are stored only as sha256 of their secret', async () => {
    const key = await server.admin.createIngestKey('stripe');
    expect((await api.post('/v1/ingest/actions', { actions: [action({ source_system: 'stripe' })] }, key.secret)).status).toBe(200);
    expect(await revokeIngestKey(server.admin.database, key.id)).toBe(true);
    expect((await api.post('/v1/ingest/actions', { actions: [action({ source_system: 'stripe' })] }, key.secret)).status).toBe(401);
    const stored = await server.admin.database.read((tx) => tx.rows(sql`SELECT * FROM ingest_key`));
    expect(JSON.stringify(stored)).not.toContain(key.secret);
    expect(key.secret).toMatch(/^afh_ik_[A-Za-z0-9_-]{43}$/);
  });
});

// ---- the CLI, as an operator runs it ----

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, ['src/server/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe.each(BACKENDS)('npm run server -- keys … on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  it.skipIf(skip)('create prints the secret once, list shows the key without it, revoke stops it; the running server honours each step', async () => {
    const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
    try {
      const created = await cli(['keys', 'create', '--source', 'segment', '--label', 'segment prod', '--data', backend.data]);
      expect(created.code, created.err).toBe(0);
      const id = /^id: (ik_[0-9a-f]+)$/m.exec(created.out)?.[1];
      const secret = /^secret: (afh_ik_\S+)$/m.exec(created.out)?.[1];
      expect(id).toBeDefined();
      expect(secret).toBeDefined();
      expect(created.err).toMatch(/shown only this once/);

      const listed = await cli(['keys', 'list', '--data', backend.data]);
      expect(listed.code).toBe(0);
      expect(listed.out).toMatch(new RegExp(`^${id}\\tsegment\\tactive\\tcreated \\S+\\tsegment prod$`, 'm'));
      expect(listed.out).not.toContain(secret);

      const use = async () => {
        const server = await startServer({ data: backend.data, port: 0 });
        try {
          await server.admin
            .createUser({ id: 'usr_m', email: 'm@test.local', name: 'M', roles: ['student'], password: PASSWORD })
            .catch(() => undefined);
          const body = {
            actions: [{ user_id: 'usr_m', action_type: 'enrolled', source_system: 'segment', source_event_id: randomUUID(), occurred_at: T0 }],
          };
          return (await apiClient(server.url).post('/v1/ingest/actions', body, secret)).status;
        } finally {
          await server.close();
        }
      };
      expect(await use()).toBe(200);

      const revoked = await cli(['keys', 'revoke', id!, '--data', backend.data]);
      expect(revoked.code, revoked.err).toBe(0);
      expect(revoked.out.trim()).toBe(`revoked ${id}`);
      expect((await cli(['keys', 'list', '--data', backend.data])).out).toMatch(new RegExp(`^${id}\\tsegment\\trevoked `, 'm'));
      expect(await use()).toBe(401);
    } finally {
      await backend.dispose();
    }
  });
});

describe('npm run server -- keys: bad input', () => {
  it.each([
    [['keys', 'create'], '--source'],
    [['keys', 'create', '--source', 'manual'], '--source'],
    [['keys', 'create', '--source', 'stripe', 'extra'], 'extra'],
    [['keys', 'revoke'], 'key id'],
    [['keys', 'rotate'], 'rotate'],
    [['keys', 'list', '--bogus'], 'bogus'],
  ])('%j exits 2 with a message naming %s, touching no database', async (args, named) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(named);
    expect(r.out).toBe('');
  });

  it('revoking an unknown key exits 1 and says so', async () => {
    const backend = await freshPglite();
    try {
      const r = await cli(['keys', 'revoke', 'ik_nope', '--data', backend.data]);
      expect(r.code).toBe(1);
      expect(r.err).toContain('no ingest key "ik_nope"');
    } finally {
      await backend.dispose();
    }
  });
});
