import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../adminCli.js';
import { startServer } from '../startServer.js';
import { apiClient, type ApiClient } from '../testing/httpClient.js';
import { BACKENDS, freshPglite, postgresReachable, SKIP_PG_MESSAGE, startTestServer, type TestServer } from '../testing/testBackends.js';
import { TEST_PASSWORD_COST } from './passwords.js';

// Issue 14 item 4, the server: devices (one per clientId), session revocation, the 14-day idle
// timeout, and the codes a laptop acts on: 401 device_revoked (wipe), 403 not_a_coordinator
// (wipe), 401 session_revoked (sign in again, keep the data).

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);
const PASSWORD = 'correct horse battery staple';

describe.each(BACKENDS)('sessions and devices on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let server: TestServer;
  let api: ApiClient;
  let superadmin: string;
  let n = 0;

  const login = async (email: string, extra: Record<string, unknown> = {}) => {
    const r = await api.post<{ token: string; error?: { code: string } }>('/v1/auth/login', { email, password: PASSWORD, ...extra });
    return r;
  };
  /** A fresh coordinator signed in from a fresh install. */
  const coordinator = async (deviceName = 'Work laptop') => {
    const id = `usr_dev${++n}`;
    const email = `${id}@test.local`;
    await server.admin.createUser({ id, email, name: id, roles: ['admin'], password: PASSWORD });
    const clientId = randomUUID();
    const r = await login(email, { clientId, deviceName });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return { id, email, clientId, token: r.body.token };
  };
  const pull = (token: string, clientId: string) => api.post<{ error?: { code: string } }>('/v1/sync/pull', { clientId, cursor: null }, token);
  const code = (r: { body: unknown }) => (r.body as { error?: { code?: string } }).error?.code;

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(kind);
    api = apiClient(server.url);
    await server.admin.createUser({ id: 'usr_super', email: 'super@test.local', name: 'Super', roles: ['superadmin'], password: PASSWORD });
    superadmin = (await login('super@test.local')).body.token;
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  it.skipIf(skip)(
    'a user lists their own sessions with the device each came from, and ends one: its next contact is 401 session_revoked',
    async () => {
      const c = await coordinator('Kitchen laptop');
      const other = await login(c.email); // a second session, no device named
      const list = await api.get<{ sessions: { id: string; clientId: string | null; deviceName: string | null; current: boolean }[] }>(
        '/v1/auth/sessions',
        c.token,
      );
      expect(list.status).toBe(200);
      expect(list.body.sessions).toHaveLength(2);
      const mine = list.body.sessions.find((s) => s.current)!;
      expect(mine).toMatchObject({ clientId: c.clientId, deviceName: 'Kitchen laptop' });
      const theOther = list.body.sessions.find((s) => !s.current)!;
      expect((await api.post(`/v1/auth/sessions/${theOther.id}/revoke`, {}, c.token)).status).toBe(204);
      const r = await pull(other.body.token, randomUUID());
      expect(r.status).toBe(401);
      expect(code(r)).toBe('session_revoked');
      expect((await pull(c.token, c.clientId)).status).toBe(200);
      // Someone else's session is not theirs to end.
      const stranger = await coordinator();
      expect((await api.post(`/v1/auth/sessions/${mine.id}/revoke`, {}, stranger.token)).status).toBe(404);
      expect((await api.post('/v1/auth/sessions/not-a-uuid/revoke', {}, stranger.token)).body).toMatchObject({
        error: { code: 'bad_request', field: 'id' },
      });
    },
  );

  it.skipIf(skip)('a superadmin revokes a device: its next contact, and any sign-in from it, is 401 device_revoked', async () => {
    const c = await coordinator('Lost laptop');
    const devices = await api.get<{ devices: { clientId: string; userId: string; name: string; revokedAt: string | null }[] }>(
      '/v1/admin/devices',
      superadmin,
    );
    expect(devices.body.devices.find((d) => d.clientId === c.clientId)).toMatchObject({ userId: c.id, name: 'Lost laptop', revokedAt: null });
    expect((await api.post(`/v1/admin/devices/${c.clientId}/revoke`, {}, superadmin)).status).toBe(204);
    const r = await pull(c.token, c.clientId);
    expect(r.status).toBe(401);
    expect(code(r)).toBe('device_revoked');
    const again = await login(c.email, { clientId: c.clientId });
    expect(again.status).toBe(401);
    expect(code(again)).toBe('device_revoked');
    // A session that did not name the device still cannot sync as it.
    const plain = await login(c.email);
    expect(code(await pull(plain.body.token, c.clientId))).toBe('device_revoked');
    // A new install of the same user is fine.
    const fresh = randomUUID();
    const ok = await login(c.email, { clientId: fresh });
    expect((await pull(ok.body.token, fresh)).status).toBe(200);
    expect((await api.post(`/v1/admin/devices/${randomUUID()}/revoke`, {}, superadmin)).status).toBe(404);
  });

  it.skipIf(skip)('an install signed in without naming its device (an earlier release) becomes a revocable device at its first sync', async () => {
    const c = await coordinator();
    const plain = (await login(c.email)).body.token;
    const old = randomUUID();
    expect((await pull(plain, old)).status).toBe(200);
    const devices = await api.get<{ devices: { clientId: string; userId: string }[] }>('/v1/admin/devices', superadmin);
    expect(devices.body.devices.find((d) => d.clientId === old)).toMatchObject({ userId: c.id });
    expect((await api.post(`/v1/admin/devices/${old}/revoke`, {}, superadmin)).status).toBe(204);
    expect(code(await pull(plain, old))).toBe('device_revoked');
  });

  it.skipIf(skip)('a superadmin ends all of a user’s sessions: 401 session_revoked, and signing in again works', async () => {
    const c = await coordinator();
    const r = await api.post<{ revoked: number }>(`/v1/admin/users/${c.id}/revoke-sessions`, {}, superadmin);
    expect(r.body).toEqual({ revoked: 1 });
    expect(code(await pull(c.token, c.clientId))).toBe('session_revoked');
    const again = await login(c.email, { clientId: c.clientId });
    expect((await pull(again.body.token, c.clientId)).status).toBe(200);
  });

  it.skipIf(skip)('a user who lost the coordinator role gets 403 not_a_coordinator', async () => {
    const c = await coordinator();
    await server.admin.database.write((tx) => tx.rows(sql`UPDATE "user" SET roles = '["student"]'::jsonb WHERE id = ${c.id}`));
    const r = await pull(c.token, c.clientId);
    expect(r.status).toBe(403);
    expect(code(r)).toBe('not_a_coordinator');
  });

  it.skipIf(skip)('a session unused for 14 days has ended (401 session_revoked); one used 13 days ago has not', async () => {
    const a = await coordinator();
    const b = await coordinator();
    const age = (id: string, days: number) =>
      server.admin.database.write((tx) =>
        tx.rows(sql`UPDATE session SET last_used_at = now() - make_interval(days => ${days}) WHERE user_id = ${id}`),
      );
    await age(a.id, 15);
    await age(b.id, 13);
    expect(code(await pull(a.token, a.clientId))).toBe('session_revoked');
    expect((await pull(b.token, b.clientId)).status).toBe(200);
    // Using it moved last_used_at forward.
    const last = await server.admin.database.read((tx) =>
      tx.rows<{ fresh: boolean }>(sql`SELECT last_used_at > now() - interval '1 minute' AS fresh FROM session WHERE user_id = ${b.id}`),
    );
    expect(last).toEqual([{ fresh: true }]);
  });

  it.skipIf(skip)('only a superadmin lists and revokes devices and sessions of others', async () => {
    const c = await coordinator();
    for (const [method, path] of [
      ['GET', '/v1/admin/devices'],
      ['POST', `/v1/admin/devices/${c.clientId}/revoke`],
      ['POST', `/v1/admin/users/${c.id}/revoke-sessions`],
    ] as const) {
      const r = await api.call(method, path, { token: c.token, ...(method === 'POST' ? { body: {} } : {}) });
      expect(r.status, path).toBe(403);
      expect(code(r)).toBe('forbidden');
    }
  });
});

describe('devices revoke and sessions revoke (server CLI)', () => {
  it('revoke a device and a user’s sessions from the database folder', async () => {
    const backend = await freshPglite();
    try {
      let server = await startServer({ passwordCost: TEST_PASSWORD_COST, data: backend.data, port: 0, host: '127.0.0.1' });
      await server.admin.createUser({ id: 'usr_a', email: 'a@test.local', name: 'A', roles: ['admin'], password: PASSWORD });
      let api = apiClient(server.url);
      const clientId = randomUUID();
      const t1 = (await api.post<{ token: string }>('/v1/auth/login', { email: 'a@test.local', password: PASSWORD, clientId })).body.token;
      const t2 = (await api.post<{ token: string }>('/v1/auth/login', { email: 'a@test.local', password: PASSWORD })).body.token;
      await server.close();
      const out: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
      expect(await runAdminCli(['devices', 'revoke', clientId, '--data', backend.data], io)).toBe(0);
      expect(await runAdminCli(['sessions', 'revoke', 'usr_a', '--data', backend.data], io)).toBe(0);
      expect(out.join('\n')).toMatch(/revoked device .*\n.*revoked 1 session/);
      expect(await runAdminCli(['devices', 'revoke', 'nope', '--data', backend.data], io)).toBe(2);
      server = await startServer({ passwordCost: TEST_PASSWORD_COST, data: backend.data, port: 0, host: '127.0.0.1' });
      api = apiClient(server.url);
      expect((await api.post('/v1/sync/pull', { clientId, cursor: null }, t1)).body).toMatchObject({ error: { code: 'device_revoked' } });
      expect((await api.post('/v1/sync/pull', { clientId: randomUUID(), cursor: null }, t2)).body).toMatchObject({
        error: { code: 'session_revoked' },
      });
      await server.close();
    } finally {
      await backend.dispose();
    }
  });
});
