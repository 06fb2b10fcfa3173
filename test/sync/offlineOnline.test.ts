import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/shared/ipc.js';
import { leftovers, localDump, newClient, seedWorld, serverDump, sleep, startTestServer, type TestServer, type World } from './harness.js';

let s: TestServer;
let world: World;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 40, cohorts: 2, champions: 12, actions: 3000 });
});
afterAll(async () => {
  await s?.close();
});

const waitFor = async (what: string, ok: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
};

describe('offline, then online', () => {
  it('keeps every change made while the server is down and applies each exactly once when it is back', async () => {
    const c = await newClient(s.url);
    try {
      expect((await c.engine.syncNow()).phase).toBe('idle');
      await s.stop();
      const statuses: SyncStatus[] = [];
      c.engine.onStatus((st) => statuses.push(st));
      c.engine.start();
      for (let i = 0; i < 5; i++) {
        c.local.recordAction({
          userId: world.members[i]!,
          enrollmentId: null,
          actionType: 'posted_thread',
          targetType: 'forum',
          targetId: 'forum_1',
          metadata: { i },
          occurredAt: new Date(Date.now() - 1000).toISOString(),
        });
        c.engine.notifyLocalChange();
      }
      c.local.moveChampion({ id: world.champions[2]!, to: 'selected', reason: 'offline decision' });
      c.local.setNotes({ id: world.champions[3]!, notes: 'written on a train' });
      c.engine.notifyLocalChange();
      await waitFor('an offline status', () => statuses.some((st) => st.phase === 'offline'));
      const offline = c.engine.status();
      expect(offline.pending).toBe(7);
      expect(offline.error).toMatch(/^Can't reach the server at http:\/\/127\.0\.0\.1:\d+/);
      expect(offline.nextRetryAt).not.toBeNull();

      await s.restart();
      c.engine.setOnline(false);
      c.engine.setOnline(true); // the host reports the network is back
      await waitFor('a clean sync', () => c.engine.status().phase === 'idle' && c.engine.status().pending === 0);
      await c.engine.stop();

      const server = await serverDump(s);
      expect(localDump(c.app)).toEqual(server);
      expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
      const manual = server.user_action.filter((r) => (r as { source_system: string }).source_system === 'manual');
      expect(manual).toHaveLength(5);
      expect(c.engine.status().error).toBeNull();
    } finally {
      await c.close();
    }
  });

  it('converges when the server restarts in the middle of a pull', async () => {
    const c = await newClient(s.url, { pullLimit: 100, requestTimeoutMs: 5000 });
    try {
      c.engine.start();
      await waitFor('a pull in progress', () => (c.engine.status().progress?.pagesDone ?? 0) >= 3);
      await s.restart();
      await waitFor('a complete sync', () => c.engine.status().phase === 'idle' && c.engine.status().lastSyncedAt !== null, 60_000);
      await c.engine.stop();
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });
});

describe('server answers that change the plan', () => {
  it('renumbers pending mutations after mutation_gap and applies them in order', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      // Pretend ids 1..9 were used by a database this one was restored from: the server has seen none.
      c.app.sqlite.prepare('UPDATE sync_state SET next_mutation_id = 10').run();
      const a = c.local.setNotes({ id: world.champions[4]!, notes: 'first' });
      c.local.setNotes({ id: world.champions[4]!, notes: 'second' });
      expect(a.mutationId).toBe(10);
      const st = await c.engine.syncNow();
      expect(st).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect((server.champion.find((r) => (r as { id: string }).id === world.champions[4]) as { notes: string }).notes).toBe('second');
      expect(localDump(c.app)).toEqual(server);
    } finally {
      await c.close();
    }
  });

  it('drops the mirror and pulls from the start on resync_required, keeping the outbox', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      c.local.setNotes({ id: world.champions[5]!, notes: 'kept through a resync' });
      // A stale row the server no longer has, and a cursor it cannot serve.
      c.app.sqlite.prepare("INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_ghost', 'Ghost', 'active', '2026-01-01T00:00:00Z')").run();
      c.app.sqlite.prepare("UPDATE sync_state SET cursor = 'not-a-cursor'").run();
      const st = await c.engine.syncNow();
      expect(st).toMatchObject({ phase: 'idle', pending: 0 });
      const server = await serverDump(s);
      expect(localDump(c.app)).toEqual(server);
      expect((server.champion.find((r) => (r as { id: string }).id === world.champions[5]) as { notes: string }).notes).toBe('kept through a resync');
    } finally {
      await c.close();
    }
  });

  it('stops on an expired token without touching the outbox, and resumes after signing in again', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      c.local.setNotes({ id: world.champions[6]!, notes: 'after expiry' });
      await s.server.admin.database.write((tx) => tx.rows(sql`DELETE FROM session`));
      const st = await c.engine.syncNow();
      expect(st.phase).toBe('signed_out');
      expect(st.error).toBe('Signed out: sign in again.');
      expect(st.pending).toBe(1);
      expect(c.session.authStatus().signedIn).toBe(false);
      c.engine.start();
      await c.session.signIn(s.url, 'coord@test.local', 'pw-coordinator-1');
      // Signing in resumes syncing by itself.
      await waitFor('the sync after signing in', () => c.engine.status().phase === 'idle' && c.engine.status().pending === 0);
    } finally {
      await c.close();
    }
  });

  it('stops retrying on 403 when another account signs in on this install, keeping the outbox', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      c.local.setNotes({ id: world.champions[7]!, notes: 'written by the first coordinator' });
      await s.server.admin.createUser({
        id: 'usr_other_admin',
        email: 'other@test.local',
        name: 'Other Admin',
        roles: ['admin'],
        password: 'pw-other-1',
      });
      await s.server.admin.setScope('usr_other_admin', { all: true, cohortIds: [] });
      await c.session.signIn(s.url, 'other@test.local', 'pw-other-1');
      c.engine.start();
      await waitFor('the refusal', () => c.engine.status().phase === 'error');
      const st = c.engine.status();
      expect(st.error).toMatch(/^The server refused/);
      expect(st.nextRetryAt).toBeNull();
      expect(st.pending).toBe(1);
    } finally {
      await c.close();
    }
  });
});
