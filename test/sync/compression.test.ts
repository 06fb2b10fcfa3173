import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDump, newClient, seedWorld, serverDump, startTestServer, type TestServer } from './harness.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
  await seedWorld(s, { members: 40, cohorts: 2, champions: 5, actions: 300 });
});
afterAll(async () => {
  await s?.close();
});

/**
 * A fetch that reaches the test server under another host name and records each pull's encodings.
 * The alias is https:// (the app refuses plain http:// off this computer); the test server behind it is plain http.
 */
function recordingFetch(hostAlias: string | null) {
  const pulls: { asked: string | null; got: string | null }[] = [];
  const f: typeof fetch = async (input, init) => {
    const url = String(input);
    const real = hostAlias ? url.replace(`https://${hostAlias}`, s.url) : url;
    const res = await fetch(real, init);
    if (url.endsWith('/v1/sync/pull')) {
      const headers = new Headers(init?.headers);
      pulls.push({ asked: headers.get('accept-encoding'), got: res.headers.get('content-encoding') });
    }
    return res;
  };
  return { f, pulls };
}

describe('pull page compression', () => {
  it('asks a server on another host for gzip and applies the gzipped pages', async () => {
    const alias = `afh-sync.test:${new URL(s.url).port}`;
    const { f, pulls } = recordingFetch(alias);
    const c = await newClient(`https://${alias}`, { fetch: f, pullLimit: 100 });
    try {
      const st = await c.engine.syncNow();
      expect(st.error).toBeNull();
      expect(pulls.length).toBeGreaterThan(2);
      expect(pulls.every((p) => p.asked === 'gzip' && p.got === 'gzip')).toBe(true);
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });

  it('asks a server on this machine for uncompressed pages (compression there is pure CPU)', async () => {
    const { f, pulls } = recordingFetch(null);
    const c = await newClient(s.url, { fetch: f, pullLimit: 100 });
    try {
      const st = await c.engine.syncNow();
      expect(st.error).toBeNull();
      expect(pulls.length).toBeGreaterThan(2);
      expect(pulls.every((p) => p.asked === 'identity' && p.got === null)).toBe(true);
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });
});
