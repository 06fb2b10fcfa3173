import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insightDeferred } from '../../src/main/insight/derivedTables.js';
import { derivedAsStored, derivedFromScratch } from '../../src/main/insight/testing/fromScratch.js';
import {
  championOn,
  clientDir,
  COORDINATOR,
  leftovers,
  localDump,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  SYNC_BACKENDS,
  type TestClient,
  type TestServer,
  type World,
} from './harness.js';

// Issue 11, findings 2 and 4: who a client is and which server it syncs with. A laptop whose
// history was rolled back (a restored backup, a copied data folder, a power cut) must not lose
// new changes as "already applied"; a laptop signed in to another server must not keep the old
// server's rows, nor send it the old server's pending changes.

/** Copy a closed database as a folder copy or a backup would: the file with its write-ahead log, if one is left. */
function copyDatabase(from: string, to: string): void {
  for (const suffix of ['-wal', '-shm']) rmSync(`${to}${suffix}`, { force: true });
  copyFileSync(from, to);
  for (const suffix of ['-wal', '-shm']) if (existsSync(`${from}${suffix}`)) copyFileSync(`${from}${suffix}`, `${to}${suffix}`);
}

const clientIdOf = (c: TestClient) => (c.app.sqlite.prepare('SELECT client_id FROM sync_state').get() as { client_id: string }).client_id;

/** Close a client's database, copy its file, and open it again as another client on the same file or the copy. */
async function reopen(c: TestClient, serverUrl: string, file = c.file): Promise<TestClient> {
  return newClient(serverUrl, { file, signIn: true });
}

describe.each(SYNC_BACKENDS)('a laptop whose history was rolled back (%s)', (backend) => {
  let s: TestServer;
  let world: World;
  const dir = clientDir();

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 12, cohorts: 2, champions: 10 });
  });
  afterAll(async () => {
    dir.dispose();
    await s?.close();
  });

  it('keeps every change made after restoring the local database from a backup', async () => {
    const file = join(dir.dir, 'restored.sqlite');
    let c = await newClient(s.url, { file });
    try {
      await c.engine.syncNow();
      await c.close();
      copyDatabase(file, `${file}.backup`);
      c = await reopen(c, s.url);
      c.local.setNotes({ id: world.champions[0]!, notes: 'made after the backup, synced' });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      await c.close();

      // The laptop is restored from the backup: the synced change and its mutation id are forgotten here.
      copyDatabase(`${file}.backup`, file);
      c = await reopen(c, s.url);
      c.local.setNotes({ id: world.champions[1]!, notes: 'first change after the restore' });
      c.local.moveChampion({ id: world.champions[2]!, to: 'selected', reason: 'second change after the restore' });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });

      const server = await serverDump(s);
      expect(championOn(server, world.champions[0]!)!.notes).toBe('made after the backup, synced');
      expect(championOn(server, world.champions[1]!)!.notes).toBe('first change after the restore');
      expect(championOn(server, world.champions[2]!)!.stage).toBe('selected');
      expect(localDump(c.app)).toEqual(server);
      expect(leftovers(c.app)).toEqual({ outbox: 0, optimistic: 0 });
    } finally {
      await c.close();
    }
  });

  it('keeps both laptops’ changes when a data folder was copied to a second laptop', async () => {
    const fileA = join(dir.dir, 'laptop-a.sqlite');
    const fileB = join(dir.dir, 'laptop-b.sqlite');
    let a = await newClient(s.url, { file: fileA });
    await a.engine.syncNow();
    await a.close();
    copyDatabase(fileA, fileB);
    a = await reopen(a, s.url);
    const b = await newClient(s.url, { file: fileB });
    try {
      expect(clientIdOf(b)).toBe(clientIdOf(a));
      a.local.setNotes({ id: world.champions[3]!, notes: 'laptop A' });
      b.local.setNotes({ id: world.champions[4]!, notes: 'laptop B' });
      b.local.recordAction({
        userId: world.members[4]!,
        enrollmentId: null,
        actionType: 'posted_thread',
        targetType: 'forum',
        targetId: 'forum_b',
        metadata: {},
        occurredAt: new Date(Date.now() - 1000).toISOString(),
      });
      expect(await a.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      expect(await b.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      await a.engine.syncNow();

      const server = await serverDump(s);
      expect(championOn(server, world.champions[3]!)!.notes).toBe('laptop A');
      expect(championOn(server, world.champions[4]!)!.notes).toBe('laptop B');
      expect(server.user_action.filter((r) => (r as { target_id: string }).target_id === 'forum_b')).toHaveLength(1);
      // The laptop whose history diverged took a new identity; the other kept its own.
      expect(clientIdOf(b)).not.toBe(clientIdOf(a));
      expect(localDump(a.app)).toEqual(server);
      expect(localDump(b.app)).toEqual(server);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe.each(SYNC_BACKENDS)('signing in to another server (%s)', (backend) => {
  let first: TestServer;
  let second: TestServer;
  let world: World;

  beforeAll(async () => {
    [first, second] = await Promise.all([startTestServer(backend), startTestServer(backend)]);
    // The same ids on both servers, different contents: what a staging and a live server look like.
    world = await seedWorld(first, { members: 20, cohorts: 2, champions: 8, actions: 50 });
    await seedWorld(second, { members: 12, cohorts: 3, champions: 5, actions: 20 });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('drops the first server’s rows and cursor and ends equal to the second server', async () => {
    const c = await newClient(first.url);
    try {
      expect((await c.engine.syncNow()).phase).toBe('idle');
      await c.session.signIn(second.url, COORDINATOR.email, COORDINATOR.password);
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      expect(localDump(c.app)).toEqual(await serverDump(second));
    } finally {
      await c.close();
    }
  });

  it('empties the cohort-insight tables with the first server’s rows, not one trigger at a time, and rebuilds them exact from the second', async () => {
    const c = await newClient(first.url);
    try {
      await c.engine.syncNow();
      expect(derivedAsStored(c.app.sqlite).enrollment.length).toBeGreaterThan(0);
      await c.session.signIn(second.url, COORDINATOR.email, COORDINATOR.password);
      // As after a full resync: the triggers are away until the first pull from the second server rebuilds the tables.
      expect(insightDeferred(c.app.sqlite)).toBe(true);
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0 });
      expect(insightDeferred(c.app.sqlite)).toBe(false);
      expect(localDump(c.app)).toEqual(await serverDump(second));
      expect(derivedAsStored(c.app.sqlite)).toEqual(derivedFromScratch(c.app.sqlite));
    } finally {
      await c.close();
    }
  });

  it('never sends the first server’s pending changes to the second: they are kept, shown, and can be discarded', async () => {
    const c = await newClient(first.url);
    try {
      await c.engine.syncNow();
      const id = world.champions[0]!;
      c.local.setNotes({ id, notes: 'meant for the first server' });
      await c.session.signIn(second.url, COORDINATOR.email, COORDINATOR.password);
      const st = await c.engine.syncNow();
      expect(st).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      expect(championOn(await serverDump(second), id)!.notes).toBe('');
      const [held] = c.local.listConflicts().conflicts;
      expect(held).toMatchObject({ name: 'champion.setNotes', entityId: id });
      expect(held!.args.notes).toBe('meant for the first server');
      expect(held!.message).toMatch(/another server/i);
      c.local.resolveConflict({ id: held!.id, resolution: 'keep-server' });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      expect(championOn(await serverDump(second), id)!.notes).toBe('');
      expect(localDump(c.app)).toEqual(await serverDump(second));
      // Nothing reached the first server either.
      expect(championOn(await serverDump(first), id)!.notes).toBe('');
    } finally {
      await c.close();
    }
  });

  it('sends nothing to another database behind the same address; signing in again starts over and keeps the pending change', async () => {
    const c = await newClient(first.url);
    try {
      await c.engine.syncNow();
      const id = world.champions[2]!;
      c.local.setNotes({ id, notes: 'meant for the database I synced with' });
      // The operator puts another database behind the same address (the sessions came along).
      await first.server.admin.database.write((tx) => tx.rows(sql`UPDATE sync_meta SET database_id = gen_random_uuid()`));
      const st = await c.engine.syncNow();
      expect(st).toMatchObject({ phase: 'signed_out', pending: 1 });
      expect(st.error).toMatch(/different database/);
      expect(championOn(await serverDump(first), id)!.notes).toBe('');
      await c.session.signIn(first.url, COORDINATOR.email, COORDINATOR.password);
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 1 });
      expect(c.local.listConflicts().conflicts[0]).toMatchObject({ code: 'server_changed', args: { notes: 'meant for the database I synced with' } });
      expect(championOn(await serverDump(first), id)!.notes).toBe('');
      expect(localDump(c.app)).toEqual(await serverDump(first));
    } finally {
      await c.close();
    }
  });

  it('signing in again to the same server keeps the rows, the cursor and the pending changes', async () => {
    const c = await newClient(first.url);
    try {
      await c.engine.syncNow();
      const before = (c.app.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string }).cursor;
      c.local.setNotes({ id: world.champions[1]!, notes: 'still for the first server' });
      await c.session.signIn(first.url, COORDINATOR.email, COORDINATOR.password);
      expect((c.app.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string }).cursor).toBe(before);
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', pending: 0, conflicts: 0 });
      expect(championOn(await serverDump(first), world.champions[1]!)!.notes).toBe('still for the first server');
    } finally {
      await c.close();
    }
  });
});
