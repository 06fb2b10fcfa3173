import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../src/shared/ipc.js';
import { createCore } from '../../src/main/core/createCore.js';
import type { Core } from '../../src/main/core/coreApi.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { startServer, type RunningServer } from '../../src/server/startServer.js';

// The core as both hosts run it, against the real reference server (PGlite in a temp folder).

const COORDINATOR = { id: 'usr_coord', email: 'coord@example.org', name: 'Cora Ordinator', roles: ['admin' as const], password: 'pw-coordinator' };
const MEMBER = { id: 'usr_member', email: 'mo@example.org', name: 'Mo Member', roles: ['student' as const], password: 'pw-member' };

let dir: string;
let server: RunningServer;
let port: number;
let core: Core;
const events: Array<{ event: EventName; payload: unknown }> = [];

async function call<T = unknown>(channel: string, input: unknown = {}): Promise<T> {
  const r = await core.dispatch(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.data as T;
}

function lastStatus(): EventPayload<'sync.status'> {
  return core.snapshot()['sync.status'];
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-core-'));
  server = await startServer({ port: 0, data: path.join(dir, 'server') });
  port = Number(new URL(server.url).port);
  await server.admin.createUser(COORDINATOR);
  // Holds every community (issue 13): this test's sync sees the whole server.
  await server.admin.setScope(COORDINATOR.id, { all: true, cohortIds: [] });
  await server.admin.createUser(MEMBER);
  core = await createCore({ dataDir: path.join(dir, 'app'), tokenStore: memoryTokenStore(), debounceMs: 50, logError: () => undefined });
  for (const e of ['sync.status', 'data.changed', 'auth.changed'] as const) core.on(e, (payload) => events.push({ event: e, payload }));
});

afterAll(async () => {
  await core?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('core over the real server', () => {
  it('a wrong password is refused as unauthorized naming the password field', async () => {
    const r = await core.dispatch('auth.signIn', { serverUrl: server.url, email: COORDINATOR.email, password: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized', field: 'password' } });
  });

  it('signing in announces auth.changed and the first sync brings the server’s members', async () => {
    const status = await call<{ signedIn: boolean }>('auth.signIn', {
      serverUrl: server.url,
      email: COORDINATOR.email,
      password: COORDINATOR.password,
    });
    expect(status.signedIn).toBe(true);
    expect(events.some((e) => e.event === 'auth.changed' && (e.payload as { signedIn: boolean }).signedIn)).toBe(true);
    await call('sync.now');
    expect(await call('people.count', { query: '' })).toEqual({ count: 2 });
  });

  it('a local mutation announces data.changed with its tables, and the engine pushes it soon after', async () => {
    events.length = 0;
    const created = await call<{ id: string }>('champion.create', { userId: MEMBER.id, cohortId: null });
    const changed = events.filter((e) => e.event === 'data.changed').map((e) => (e.payload as { tables: string[] }).tables);
    expect(changed[0]).toEqual(expect.arrayContaining(['champion', 'outbox']));
    await expect.poll(() => lastStatus().pending, { timeout: 20_000 }).toBe(0);
    const board = await call<{ columns: Array<{ stage: string; cards: Array<{ champion: { id: string } }> }> }>('board.get', { cohortId: null });
    expect(board.columns.find((c) => c.stage === 'candidate')?.cards.map((c) => c.champion.id)).toContain(created.id);
  });

  it('the host’s offline/online reports show in the sync status', async () => {
    core.setOnline(false);
    expect(lastStatus().online).toBe(false);
    core.setOnline(true);
    expect(lastStatus().online).toBe(true);
  });

  it('when the server goes away the core shows offline, and comes back by itself when the server returns', async () => {
    await server.close();
    await call('sync.now');
    await expect.poll(() => lastStatus().online, { timeout: 20_000 }).toBe(false);
    // Work goes on offline and waits in the outbox.
    await call('action.record', { userId: MEMBER.id, actionType: 'completed_module', occurredAt: '2026-04-02T10:00:00Z' });
    expect(lastStatus().pending).toBe(1);
    server = await startServer({ port, data: path.join(dir, 'server') });
    await expect.poll(() => lastStatus().online, { timeout: 30_000, interval: 250 }).toBe(true);
    await expect.poll(() => lastStatus().pending, { timeout: 30_000, interval: 250 }).toBe(0);
  });

  it('settings.resetLocalData erases the local data, signs out and starts as a new client', async () => {
    const before = await call<{ clientId: string; serverUrl: string }>('settings.get');
    await call('settings.resetLocalData', { confirm: true });
    const after = await call<{ clientId: string; serverUrl: string; dataLocation: string }>('settings.get');
    expect(after.clientId).not.toBe(before.clientId);
    expect(after.serverUrl).toBe(before.serverUrl);
    expect(after.dataLocation).toBe(path.join(dir, 'app'));
    expect(await call('people.count', { query: '' })).toEqual({ count: 0 });
    expect(await call('auth.status')).toMatchObject({ signedIn: false });
  });

  it('after close, calls answer unavailable instead of touching a closed database', async () => {
    await core.close();
    expect(await core.dispatch('people.count', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });
});
