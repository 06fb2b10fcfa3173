import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRow } from '../../src/shared/rows.js';
import { backupServer, localDump, newClient, seedWorld, serverDump, startTestServer, SYNC_BACKENDS, type TestServer } from './harness.js';

// Issue 11, finding 5: a cursor names the database it came from. A server restored from an
// older copy of its data, a cursor from another database, or one whose number does not fit
// gets resync_required, and the client pulls again from the start.

const users = (prefix: string, n: number): UserRow[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `usr_${prefix}_${i}`,
    email: `${prefix}${i}@example.org`,
    name: `${prefix} ${i}`,
    origin: 'york',
    profile_img: null,
    roles: ['student'],
    created_at: '2026-03-01T00:00:00.000Z',
  }));

const ids = (rows: unknown[]) => new Set(rows.map((r) => (r as { id: string }).id));

describe.each(SYNC_BACKENDS)('a server restored from a backup (%s)', (backend) => {
  let s: TestServer;

  beforeAll(async () => {
    s = await startTestServer(backend);
    await seedWorld(s, { members: 30, cohorts: 2, champions: 6, actions: 100 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('makes clients pull again from the start and end equal to it: new rows pulled, rows it no longer has gone', async () => {
    const c = await newClient(s.url, { pullLimit: 40 });
    try {
      expect((await c.engine.syncNow()).phase).toBe('idle');
      const backup = await backupServer(s);
      // After the backup: 30 more members, which the laptop pulls.
      await s.server.admin.insertRows('user', users('after_backup', 30));
      expect((await c.engine.syncNow()).phase).toBe('idle');
      expect(localDump(c.app).user.filter((u) => (u as { id: string }).id.startsWith('usr_after_backup'))).toHaveLength(30);

      // Last night's copy comes back; then 20 members join before the laptop syncs again.
      await backup.restore();
      await s.server.admin.insertRows('user', users('after_restore', 20));
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });

      const server = await serverDump(s);
      const local = localDump(c.app);
      expect(local).toEqual(server);
      const localUsers = ids(local.user);
      expect(users('after_restore', 20).every((u) => localUsers.has(u.id))).toBe(true);
      expect(users('after_backup', 30).some((u) => localUsers.has(u.id))).toBe(false);
    } finally {
      await c.close();
    }
  });
});

describe.each(SYNC_BACKENDS)('cursors the server cannot continue from (%s)', (backend) => {
  let s: TestServer;
  let other: TestServer;
  let token: string;
  const clientId = '0b6f1f5e-3a52-4c2e-9e55-5b1e3d1c7a01';

  beforeAll(async () => {
    [s, other] = await Promise.all([startTestServer(backend), startTestServer(backend)]);
    await seedWorld(s, { members: 10, cohorts: 1, champions: 2 });
    await seedWorld(other, { members: 10, cohorts: 1, champions: 2 });
    const c = await newClient(s.url);
    token = c.session.token()!;
    await c.close();
  });
  afterAll(async () => {
    await s?.close();
    await other?.close();
  });

  const pull = async (url: string, cursor: string | null, auth = token) => {
    const res = await fetch(`${url}/v1/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      body: JSON.stringify({ protocol: 2, clientId, databaseId: null, cursor, limit: 5 }),
    });
    return { status: res.status, body: (await res.json()) as { cursor?: string; error?: { code: string; field?: string } } };
  };
  /** The cursor's JSON, changed by `edit`, encoded back the way the server encodes it. */
  const tamper = (cursor: string, edit: (c: Record<string, unknown>) => void) => {
    const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    edit(body);
    return Buffer.from(JSON.stringify(body)).toString('base64url');
  };

  it('answers resync_required, not a 500, for a cursor whose number does not fit', async () => {
    const first = await pull(s.url, null);
    expect(first.status).toBe(200);
    for (const seq of ['9999999999999999999', '9223372036854775808']) {
      const r = await pull(
        s.url,
        tamper(first.body.cursor!, (c) => (c.seq = seq)),
      );
      expect(r).toMatchObject({ status: 409, body: { error: { code: 'resync_required', field: 'cursor' } } });
    }
  });

  it('answers resync_required for a cursor from the future (above anything this database has handed out)', async () => {
    const first = await pull(s.url, null);
    const future = tamper(first.body.cursor!, (c) => (c.seq = String(BigInt(c.seq as string) + 1_000_000n)));
    expect(await pull(s.url, future)).toMatchObject({ status: 409, body: { error: { code: 'resync_required' } } });
  });

  it('answers resync_required for a cursor from another database', async () => {
    const first = await pull(s.url, null);
    const otherLogin = await fetch(`${other.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'coord@test.local', password: 'pw-coordinator-1' }),
    });
    const otherToken = ((await otherLogin.json()) as { token: string }).token;
    expect(await pull(other.url, first.body.cursor!, otherToken)).toMatchObject({ status: 409, body: { error: { code: 'resync_required' } } });
  });
});
