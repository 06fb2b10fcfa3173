import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PullWorker } from '../../src/main/sync/pullWorker.js';
import { COORDINATOR, localDump, newClient, seedWorld, serverDump, startTestServer, type TestServer } from './harness.js';

// A first sync's pull worker is started while the sign-in is on its way (engine.ts,
// warmPullWorker), as the app's engine exists before anyone signs in (core/composeSync.ts).

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await seedWorld(s, { members: 12, cohorts: 2, champions: 4, actions: 600 });
});
afterAll(async () => {
  await s?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the pull worker of a first sync', () => {
  it('starts during the sign-in of a laptop that has never synced, and the first sync writes its pages and indexes through it', async () => {
    const start = vi.spyOn(PullWorker, 'start');
    const build = vi.spyOn(PullWorker.prototype, 'build');
    const c = await newClient(s.url, { signIn: false, pullLimit: 100 });
    try {
      expect(start).not.toHaveBeenCalled();
      await c.session.signIn(s.url, COORDINATOR.email, COORDINATOR.password);
      expect(start).toHaveBeenCalledTimes(1);
      const status = await c.engine.syncNow();
      expect(status.error).toBeNull();
      // The same worker: none started for the pull itself.
      expect(start).toHaveBeenCalledTimes(1);
      expect(build).toHaveBeenCalledTimes(1);
      await expect(build.mock.results[0]!.value).resolves.toBe(true);
      expect(localDump(c.app)).toEqual(await serverDump(s));
      const idx = c.app.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'user_action_time_idx'").get();
      expect(idx).toEqual({ name: 'user_action_time_idx' });
      // Signing in again later: nothing is ahead that needs a worker.
      await c.session.signIn(s.url, COORDINATOR.email, COORDINATOR.password);
      expect(start).toHaveBeenCalledTimes(1);
    } finally {
      await c.close();
    }
  });

  it('of a long first pull is closed before the indexes are built, on a thread of their own (its heap would stay resident)', async () => {
    const build = vi.spyOn(PullWorker.prototype, 'build');
    const close = vi.spyOn(PullWorker.prototype, 'close');
    const c = await newClient(s.url, { signIn: false, pullLimit: 10 });
    try {
      await c.session.signIn(s.url, COORDINATOR.email, COORDINATOR.password);
      const pages: number[] = [];
      c.engine.onStatus((st) => st.progress && pages.push(st.progress.pagesDone));
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(Math.max(...pages)).toBeGreaterThan(50);
      expect(build).not.toHaveBeenCalled();
      expect(close).toHaveBeenCalled();
      expect(localDump(c.app)).toEqual(await serverDump(s));
      const idx = c.app.sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'user_action_%time_idx'").get();
      expect(idx).toEqual({ n: 5 });
    } finally {
      await c.close();
    }
  });

  it('is closed with the engine when no sync came to use it (every connection to the file goes before a wipe)', async () => {
    const start = vi.spyOn(PullWorker, 'start');
    const close = vi.spyOn(PullWorker.prototype, 'close');
    const c = await newClient(s.url, { signIn: false });
    try {
      await c.session.signIn(s.url, COORDINATOR.email, COORDINATOR.password);
      expect(start).toHaveBeenCalledTimes(1);
      const worker = await start.mock.results[0]!.value;
      expect(worker).toBeInstanceOf(PullWorker);
      await c.engine.stop();
      expect(close).toHaveBeenCalledTimes(1);
      expect(close.mock.instances[0]).toBe(worker);
    } finally {
      await c.close();
    }
  });

  it('is not started when the engine applies every page on its own thread (pullWorker: null)', async () => {
    const start = vi.spyOn(PullWorker, 'start');
    const c = await newClient(s.url, { signIn: false, pullWorker: null });
    try {
      await c.session.signIn(s.url, COORDINATOR.email, COORDINATOR.password);
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(start).not.toHaveBeenCalled();
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });
});
