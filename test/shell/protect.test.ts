import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, DATABASE_FILE } from '../../src/main/core/createCore.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import type { AuthStatus } from '../../src/shared/ipc.js';
import { startServer, type RunningServer } from '../../src/server/startServer.js';

// Issue 14 item 4 through the app's real code paths (createCore + IPC dispatch) against the real
// server on loopback: a revoked device and a lost coordinator role wipe the laptop's data and say
// why; "Sign out and remove this laptop's data" pushes first, and discards only when confirmed
// with the count; the coordinator lists and ends their own devices' sessions.

const PASSWORD = 'pw-coordinator';
const MEMBER = { id: 'usr_member', email: 'mo@example.org', name: 'Morwenna Trelawney', roles: ['student' as const], password: 'x-unused-x' };

let dir: string;
let server: RunningServer;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-protect-'));
  server = await startServer({ port: 0, data: path.join(dir, 'server') });
  await server.admin.createUser(MEMBER);
  for (const m of ['usr_member2', 'usr_member3'])
    await server.admin.createUser({ id: m, email: `${m}@example.org`, name: m, roles: ['student'], password: 'x-unused-x' });
  await server.admin.createUser({ id: 'usr_super', email: 'super@example.org', name: 'Super', roles: ['superadmin'], password: PASSWORD });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh coordinator account and a laptop (core) signed in and synced. */
async function laptop(opts: { fetch?: typeof fetch } = {}) {
  const id = `usr_c${++n}`;
  const email = `${id}@example.org`;
  await server.admin.createUser({ id, email, name: `Coordinator ${n}`, roles: ['admin'], password: PASSWORD });
  // Every community (issue 13): these tests are about removing data, not about scopes.
  await server.admin.setScope(id, { all: true, cohortIds: [] });
  const dataDir = path.join(dir, `app${n}`);
  const core = await createCore({ dataDir, tokenStore: memoryTokenStore(), debounceMs: 50, logError: () => undefined, autoStart: false, ...opts });
  const call = async <T = unknown>(channel: string, input: unknown = {}): Promise<T> => {
    const r = await core.dispatch(channel, input);
    if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
    return r.data as T;
  };
  await call('auth.signIn', { serverUrl: server.url, email, password: PASSWORD });
  await call('sync.now');
  expect(await call('people.count', { query: '' })).toMatchObject({ count: expect.any(Number) });
  const clientId = (await call<{ clientId: string }>('settings.get')).clientId;
  return { id, email, core, call, dataDir, clientId, dbFile: path.join(dataDir, DATABASE_FILE) };
}

/** The database file or its WAL holds the text. */
const fileHas = (file: string, text: string) => [file, `${file}-wal`].some((f) => existsSync(f) && readFileSync(f).toString('latin1').includes(text));

describe('a laptop told it may not keep the data removes it and says why', () => {
  it('a device revoked by a superadmin: the next sync wipes the database and token, and AuthStatus.notice says why', async () => {
    const l = await laptop();
    try {
      expect(fileHas(l.dbFile, MEMBER.name)).toBe(true);
      const superTok = (await (
        await fetch(`${server.url}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'super@example.org', password: PASSWORD }),
        })
      ).json()) as { token: string };
      const r = await fetch(`${server.url}/v1/admin/devices/${l.clientId}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${superTok.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(r.status).toBe(204);

      await l.core.dispatch('sync.now', {});
      await expect
        .poll(async () => (await l.call<AuthStatus>('auth.status')).notice, { timeout: 10_000 })
        .toMatch(/administrator signed this laptop out/);
      const status = await l.call<AuthStatus>('auth.status');
      expect(status.signedIn).toBe(false);
      expect(await l.call('people.count', { query: '' })).toEqual({ count: 0 });
      expect(fileHas(l.dbFile, MEMBER.name)).toBe(false);
      // The notice shows in the list too, and goes once dismissed.
      const { notices } = await l.call<{ notices: { id: number; kind: string }[] }>('notices.list');
      expect(notices.map((x) => x.kind)).toEqual(['data_wiped']);
      await l.call('notices.dismiss', { id: notices[0]!.id });
      expect((await l.call<AuthStatus>('auth.status')).notice).toBeNull();
      // A new sign-in from this laptop (a new install identity after the wipe) works.
      await l.call('auth.signIn', { serverUrl: server.url, email: l.email, password: PASSWORD });
      expect((await l.call<AuthStatus>('auth.status')).signedIn).toBe(true);
    } finally {
      await l.core.close();
    }
  });

  it('a coordinator who lost the role: the next sync wipes and says so', async () => {
    const l = await laptop();
    try {
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE "user" SET roles = '["student"]'::jsonb WHERE id = ${l.id}`));
      await l.core.dispatch('sync.now', {});
      await expect.poll(async () => (await l.call<AuthStatus>('auth.status')).notice, { timeout: 10_000 }).toMatch(/no longer a coordinator/);
      expect(await l.call('people.count', { query: '' })).toEqual({ count: 0 });
      expect(fileHas(l.dbFile, MEMBER.name)).toBe(false);
    } finally {
      await l.core.close();
    }
  });

  it('a coordinator who lost the role while signed out: signing in again wipes and says so; another account signing in does not', async () => {
    const l = await laptop();
    try {
      await l.call('auth.signOut');
      // Someone else's non-coordinator account on this laptop: refused, the data stays.
      const stranger = await l.core.dispatch('auth.signIn', { serverUrl: server.url, email: 'mo@example.org', password: 'x-unused-x' });
      expect(stranger.ok).toBe(false);
      expect((await l.call<{ count: number }>('people.count', { query: '' })).count).toBeGreaterThan(0);
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE "user" SET roles = '["student"]'::jsonb WHERE id = ${l.id}`));
      const r = await l.core.dispatch('auth.signIn', { serverUrl: server.url, email: l.email, password: PASSWORD });
      expect(r.ok).toBe(false);
      await expect.poll(async () => (await l.call<AuthStatus>('auth.status')).notice, { timeout: 10_000 }).toMatch(/no longer a coordinator/);
      expect(await l.call('people.count', { query: '' })).toEqual({ count: 0 });
    } finally {
      await l.core.close();
    }
  });

  it('a revoked session (not device) signs out but keeps the data', async () => {
    const l = await laptop();
    try {
      const superTok = (await (
        await fetch(`${server.url}/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'super@example.org', password: PASSWORD }),
        })
      ).json()) as { token: string };
      await fetch(`${server.url}/v1/admin/users/${l.id}/revoke-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${superTok.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      await l.core.dispatch('sync.now', {});
      const status = await l.call<AuthStatus>('auth.status');
      expect(status).toMatchObject({ signedIn: false, notice: null });
      expect((await l.call<{ count: number }>('people.count', { query: '' })).count).toBeGreaterThan(0);
    } finally {
      await l.core.close();
    }
  });
});

describe('Sign out and remove this laptop’s data', () => {
  it('pushes pending changes first, then removes the data', async () => {
    const l = await laptop();
    try {
      await l.call('champion.create', { userId: MEMBER.id, cohortId: null });
      const status = await l.call<AuthStatus>('auth.signOutAndRemoveData', { discardPending: false });
      expect(status.signedIn).toBe(false);
      const onServer = await server.admin.database.read((tx) => tx.rows(sql`SELECT 1 FROM champion WHERE user_id = ${MEMBER.id}`));
      expect(onServer.length).toBeGreaterThan(0);
      expect(await l.call('people.count', { query: '' })).toEqual({ count: 0 });
      expect(fileHas(l.dbFile, MEMBER.name)).toBe(false);
    } finally {
      await l.core.close();
    }
  });

  it('with changes that cannot be pushed, refuses naming how many; removes them only when confirmed', async () => {
    let offline = false;
    const gated: typeof fetch = (input, init) => (offline ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const l = await laptop({ fetch: gated });
    try {
      offline = true;
      await l.call('champion.create', { userId: 'usr_member2', cohortId: null, notes: 'call back' });
      await l.call('champion.create', { userId: 'usr_member3', cohortId: null, notes: 'call back' });
      const pending = 2;
      const r = await l.core.dispatch('auth.signOutAndRemoveData', { discardPending: false });
      expect(r).toMatchObject({ ok: false, error: { code: 'conflict', field: 'discardPending' } });
      expect(r.ok ? '' : r.error.message).toContain(`${pending} changes have not reached the server`);
      expect((await l.call<{ count: number }>('people.count', { query: '' })).count).toBeGreaterThan(0); // nothing removed
      const done = await l.call<AuthStatus>('auth.signOutAndRemoveData', { discardPending: true });
      expect(done.signedIn).toBe(false);
      expect(await l.call('people.count', { query: '' })).toEqual({ count: 0 });
      expect(fileHas(l.dbFile, MEMBER.name)).toBe(false);
    } finally {
      await l.core.close();
    }
  });
});

describe('Your devices', () => {
  it('lists the coordinator’s sessions with this laptop’s name, and signs another device out', async () => {
    const l = await laptop();
    try {
      // Another device of the same coordinator.
      const other = await createCore({
        dataDir: path.join(dir, `other${n}`),
        tokenStore: memoryTokenStore(),
        autoStart: false,
        logError: () => undefined,
      });
      const o = await other.dispatch('auth.signIn', { serverUrl: server.url, email: l.email, password: PASSWORD });
      expect(o.ok).toBe(true);
      const list = await l.call<{ sessions: { id: string; clientId: string; deviceName: string; current: boolean }[] }>('devices.list');
      expect(list.sessions).toHaveLength(2);
      const mine = list.sessions.find((s) => s.current)!;
      expect(mine.clientId).toBe(l.clientId);
      expect(mine.deviceName).toBeTruthy();
      const theirs = list.sessions.find((s) => !s.current)!;
      const after = await l.call<{ sessions: unknown[] }>('devices.signOut', { id: theirs.id });
      expect(after.sessions).toHaveLength(1);
      // The other device is signed out, and keeps its data (a session, not a device, was ended).
      await other.dispatch('sync.now', {});
      const st = await other.dispatch('auth.status', {});
      expect(st).toMatchObject({ ok: true, data: { signedIn: false, notice: null } });
      await other.close();
    } finally {
      await l.core.close();
    }
  });
});
