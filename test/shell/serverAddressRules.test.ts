import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/createCore.js';
import type { Core } from '../../src/main/core/coreApi.js';
import { ProtocolClient, SyncHttpError } from '../../src/main/sync/protocolClient.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { ipcContract } from '../../src/shared/ipc.js';
import { serverUrlProblem } from '../../src/shared/serverUrl.js';

// Issue 11, server hygiene, the client's side: the app never sends a password or token in the
// clear to another machine, and never follows a redirect with them. Real HTTP servers on
// loopback: one that answers every request with a 307, and a recorder on another origin (and
// another path of the same origin) that notes whatever reaches it.

interface Arrival {
  path: string;
  authorization: string | undefined;
  body: string;
}

function listen(
  handler: (req: IncomingMessage, body: string, res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => handler(req, body, res));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

let dir: string;
let core: Core;
let recorder: { server: Server; url: string };
let redirector: { server: Server; url: string };
const arrivals: Arrival[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-address-rules-'));
  recorder = await listen((req, body, res) => {
    arrivals.push({ path: req.url ?? '', authorization: req.headers.authorization, body });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  redirector = await listen((req, body, res) => {
    // /same-origin/… is the redirector's own recorder; everything else goes to the other origin.
    if (req.url?.startsWith('/same-origin/')) {
      arrivals.push({ path: req.url, authorization: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const to = req.url?.startsWith('/v1/sync/') ? `/same-origin${req.url}` : `${recorder.url}${req.url ?? '/'}`;
    res.writeHead(307, { location: to }).end();
  });
  core = await createCore({ dataDir: path.join(dir, 'app'), tokenStore: memoryTokenStore(), logError: () => undefined });
});

afterAll(async () => {
  await core?.close();
  for (const s of [recorder?.server, redirector?.server]) await new Promise<void>((r) => (s ? s.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the app never follows a redirect with credentials', () => {
  it('sign-in against a server that answers 307 to another origin: a plain error naming the address, and the password goes nowhere', async () => {
    arrivals.length = 0;
    const r = await core.dispatch('auth.signIn', { serverUrl: redirector.url, email: 'coord@example.org', password: 'secret-password-1' });
    expect(r).toMatchObject({ ok: false, error: { field: 'serverUrl' } });
    expect(!r.ok && r.error.message).toMatch(/redirect/i);
    expect(!r.ok && r.error.message).toContain(recorder.url);
    expect(arrivals).toEqual([]);
    expect(core.snapshot()['auth.changed'].signedIn).toBe(false);
  });

  it('a push whose answer is a 307 to the same origin does not resend the token or the changes there', async () => {
    arrivals.length = 0;
    const client = new ProtocolClient({ baseUrl: redirector.url, token: 'session-token-1', timeoutMs: 5000 });
    const err = await client.push({ protocol: 2, clientId: randomUUID(), databaseId: null, ack: 0, mutations: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncHttpError);
    expect((err as SyncHttpError).message).toMatch(/redirect/i);
    expect((err as SyncHttpError).extra).toMatchObject({ status: 307, field: 'serverUrl' });
    const pull = await client.pullBytes({ protocol: 2, clientId: randomUUID(), databaseId: null, cursor: null }).catch((e: unknown) => e);
    expect(pull).toBeInstanceOf(SyncHttpError);
    expect(arrivals).toEqual([]);
  });
});

describe('the app refuses plain http:// to another machine', () => {
  it('the sign-in form refuses it by name with a plain message, before any request', async () => {
    let fetched = 0;
    const counting = await createCore({
      dataDir: path.join(dir, 'counting'),
      tokenStore: memoryTokenStore(),
      logError: () => undefined,
      fetch: (async () => {
        fetched++;
        throw new Error('no request should be made');
      }) as typeof fetch,
    });
    try {
      for (const serverUrl of ['http://sync.example.org', 'http://192.0.2.10:8787', 'http://10.0.0.5', 'http://[2001:db8::1]:8787']) {
        const r = await counting.dispatch('auth.signIn', { serverUrl, email: 'coord@example.org', password: 'pw' });
        expect(r, serverUrl).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'serverUrl' } });
        expect(!r.ok && r.error.message, serverUrl).toMatch(/https:\/\//);
        expect(!r.ok && r.error.message).not.toMatch(/Invalid|zod|custom/);
      }
      expect(fetched).toBe(0);
    } finally {
      await counting.close();
    }
  });

  it('every request refuses it too (an address stored before this rule): nothing is sent', async () => {
    let fetched = 0;
    const f = (async () => {
      fetched++;
      return new Response('{}');
    }) as typeof fetch;
    const client = new ProtocolClient({ baseUrl: 'http://sync.example.org', token: 't', fetch: f });
    for (const call of [
      () => client.login('a@b.c', 'pw'),
      () => client.push({ protocol: 2, clientId: randomUUID(), databaseId: null, ack: 0, mutations: [] }),
      () => client.logout(),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SyncHttpError);
      expect((e as SyncHttpError).extra.field).toBe('serverUrl');
      expect((e as SyncHttpError).message).toMatch(/https:\/\//);
    }
    expect(fetched).toBe(0);
  });

  it('accepts https:// anywhere and http:// to this computer only', () => {
    for (const ok of [
      'https://sync.example.org',
      'https://192.0.2.1:8443/',
      'http://127.0.0.1:8787',
      'http://localhost:8787',
      'http://[::1]:8787',
      'http://127.3.4.5',
    ]) {
      expect(serverUrlProblem(ok), ok).toBeNull();
    }
    for (const bad of [
      'http://sync.example.org',
      'http://localhost.example.org',
      'http://127.0.0.1.nip.io',
      'ftp://x',
      'https://user:pw@sync.example.org',
      'not a url',
    ]) {
      expect(serverUrlProblem(bad), bad).toEqual(expect.any(String));
    }
    const input = ipcContract['auth.signIn'].input;
    expect(input.safeParse({ serverUrl: 'https://sync.example.org', email: 'a@b.c', password: 'x' }).success).toBe(true);
    expect(input.safeParse({ serverUrl: 'http://sync.example.org', email: 'a@b.c', password: 'x' }).success).toBe(false);
  });
});
