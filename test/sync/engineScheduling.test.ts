import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/shared/ipc.js';
import { newClient, seedWorld, serverDump, sleep, startTestServer, localDump, type TestServer, type World } from './harness.js';

// Scheduling against the real server: the fetch the engine uses is wrapped only to count
// requests or to make one answer a 429, the rest goes over loopback as usual.

let s: TestServer;
let world: World;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 10, cohorts: 1, champions: 5, actions: 500 });
});
afterAll(async () => {
  await s?.close();
});

interface Counted {
  fetch: typeof fetch;
  calls: string[];
  inFlightMax: { push: number };
  answer429Next(path: string, retryAfterSeconds: number): void;
}

function countingFetch(): Counted {
  const calls: string[] = [];
  const inFlightMax = { push: 0 };
  let pushes = 0;
  let fail: { path: string; retryAfter: number } | null = null;
  const wrapped: typeof fetch = async (input, init) => {
    const path = new URL(String(input)).pathname;
    calls.push(path);
    if (fail && path === fail.path) {
      const ra = fail.retryAfter;
      fail = null;
      return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
        status: 429,
        headers: { 'retry-after': String(ra), 'content-type': 'application/json' },
      });
    }
    if (path.endsWith('/push')) inFlightMax.push = Math.max(inFlightMax.push, ++pushes);
    try {
      return await fetch(input, init);
    } finally {
      if (path.endsWith('/push')) pushes--;
    }
  };
  return { fetch: wrapped, calls, inFlightMax, answer429Next: (path, retryAfter) => (fail = { path, retryAfter }) };
}

const waitFor = async (what: string, ok: () => boolean, ms = 20_000) => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
};

describe('sync scheduling', () => {
  it('folds a burst of local changes into one debounced push', async () => {
    const f = countingFetch();
    const c = await newClient(s.url, { fetch: f.fetch, debounceMs: 150 });
    try {
      c.engine.start();
      await waitFor('the first sync', () => c.engine.status().lastSyncedAt !== null && c.engine.status().phase === 'idle');
      f.calls.length = 0;
      for (let i = 0; i < 8; i++) {
        c.local.setNotes({ id: world.champions[0]!, notes: `draft ${i}` });
        c.engine.notifyLocalChange();
      }
      await waitFor('the debounced sync', () => c.engine.status().pending === 0 && c.engine.status().phase === 'idle');
      expect(f.calls.filter((p) => p === '/v1/sync/push')).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('runs one sync at a time and coalesces triggers that arrive meanwhile into one follow-up', async () => {
    const f = countingFetch();
    const c = await newClient(s.url, { fetch: f.fetch, pullLimit: 50 });
    try {
      await c.engine.syncNow();
      const runs: SyncStatus['phase'][] = [];
      c.engine.onStatus((st) => {
        if (runs[runs.length - 1] !== st.phase) runs.push(st.phase);
      });
      c.local.setNotes({ id: world.champions[1]!, notes: 'one' });
      const all = await Promise.all([c.engine.syncNow(), c.engine.syncNow(), c.engine.syncNow(), c.engine.syncNow()]);
      expect(all.every((st) => st.phase === 'idle')).toBe(true);
      expect(f.inFlightMax.push).toBe(1);
      // The first run, then a single follow-up for the three calls made while it ran.
      expect(runs.filter((p) => p === 'pulling')).toHaveLength(2);
    } finally {
      await c.close();
    }
  });

  it('honours Retry-After on 429 and then completes', async () => {
    const f = countingFetch();
    const c = await newClient(s.url, { fetch: f.fetch });
    try {
      await c.engine.syncNow();
      c.local.setNotes({ id: world.champions[2]!, notes: 'after the rate limit' });
      f.answer429Next('/v1/sync/push', 1);
      const before = Date.now();
      c.engine.start();
      await waitFor('the 429', () => c.engine.status().nextRetryAt !== null);
      const st = c.engine.status();
      expect(st.phase).toBe('error');
      expect(st.pending).toBe(1);
      const retryIn = Date.parse(st.nextRetryAt!) - before;
      expect(retryIn).toBeGreaterThanOrEqual(900);
      expect(retryIn).toBeLessThan(5000);
      await waitFor('the retry', () => c.engine.status().phase === 'idle' && c.engine.status().pending === 0);
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });

  it('stops: no new syncs after stop(), the outbox is kept', async () => {
    const f = countingFetch();
    const c = await newClient(s.url, { fetch: f.fetch, debounceMs: 10 });
    try {
      await c.engine.syncNow();
      c.engine.start();
      await c.engine.stop();
      const n = f.calls.length;
      c.local.setNotes({ id: world.champions[3]!, notes: 'written after stop' });
      c.engine.notifyLocalChange();
      await c.engine.syncNow();
      await sleep(100);
      expect(f.calls.length).toBe(n);
      expect(c.engine.status().pending).toBe(1);
    } finally {
      await c.close();
    }
  });

  it('reports signed_out without a session and offline when the host says the network is gone', async () => {
    const c = await newClient(s.url, { signIn: false });
    try {
      const st = await c.engine.syncNow();
      expect(st.phase).toBe('signed_out');
      expect(st.error).toMatch(/sign in/i);
      c.engine.setOnline(false);
      expect(c.engine.status()).toMatchObject({ phase: 'offline', online: false });
    } finally {
      await c.close();
    }
  });
});
