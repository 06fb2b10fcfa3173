import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { startBrowserHost, type BrowserHost } from '../../src/main/browserHost/server.js';
import { seedLocal } from './seedLocal.js';

// The browser host as a coordinator's machine would run it: real core over a real SQLite
// file, real HTTP and WebSocket on loopback, and (where installed) real Chromium.

let dir: string;
let rendererDir: string;
let host: BrowserHost;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-host-'));
  seedLocal(path.join(dir, 'data'));
  // A stand-in build of the renderer: the host's job is to serve whatever was built.
  rendererDir = path.join(dir, 'renderer');
  mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>AfH</title></head><body><div id="root"></div><script type="module" src="./assets/app.js"></script></body></html>',
  );
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'document.getElementById("root").textContent = "ready";');
  host = await startBrowserHost({ port: 0, dataDir: path.join(dir, 'data'), rendererDir });
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${host.port}`;

function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: pathname, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a WebSocket and reports how the handshake ended: 'open' or the HTTP status it was refused with. */
function handshake(
  url: string,
  headers: Record<string, string>,
): Promise<{ outcome: 'open' | number; ws: WsClient; messages: Array<Record<string, unknown>> }> {
  return new Promise((resolve) => {
    const ws = new WsClient(url, { headers });
    // Collect from the first frame: the host greets a new page before anything is asked.
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.on('open', () => resolve({ outcome: 'open', ws, messages }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ outcome: res.statusCode ?? 0, ws, messages });
      res.resume();
    });
    ws.on('error', () => resolve({ outcome: -1, ws, messages }));
  });
}

const wsUrl = (token?: string): string => `ws://127.0.0.1:${host.port}/__afh/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

describe('browser host: where it listens', () => {
  it('binds to the loopback address only', () => {
    expect(host.address).toBe('127.0.0.1');
    expect(host.url.startsWith(`http://127.0.0.1:${host.port}/#token=`)).toBe(true);
  });

  it('cannot be reached through any non-loopback interface address of this machine', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of external) {
      const outcome = await new Promise<string>((resolve) => {
        const s = connect({ host: address, port: host.port });
        s.setTimeout(3000, () => {
          s.destroy();
          resolve('timeout');
        });
        s.on('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome, `connecting via ${address}`).not.toBe('connected');
    }
  });
});

describe('browser host: serving the renderer', () => {
  it('serves index.html with a strict CSP and the bridge script first, and without the token', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body).toMatch(/<head><script src="\/__afh\/bridge.js"><\/script>/);
    expect(res.body).not.toContain(host.token);
  });

  it('serves the bridge as a classic script with no imports left in it', async () => {
    const res = await get('/__afh/bridge.js');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('javascript');
    expect(res.body).toContain('__afh/ws');
    expect(res.body).not.toMatch(/^\s*import\s/m);
  });

  it('refuses paths that climb out of the renderer folder', async () => {
    for (const p of ['/../package.json', '/..%2f..%2fpackage.json', '/assets/..%2f..%2f..%2fpackage.json', '/%00']) {
      expect((await get(p)).status, p).toBe(404);
    }
  });

  it('refuses a request whose Host is not its own (DNS rebinding)', async () => {
    const res = await get('/', { Host: `evil.example:${host.port}` });
    expect(res.status).toBe(421);
  });
  it('tells a page whether its key still opens this host, without failing the request either way', async () => {
    const ask = async (headers: Record<string, string>) => {
      const res = await get('/__afh/hello', headers);
      return { status: res.status, body: JSON.parse(res.body) as unknown, store: res.headers['cache-control'] };
    };
    expect(await ask({ 'x-afh-token': host.token })).toEqual({ status: 200, body: { token: 'valid' }, store: 'no-store' });
    expect(await ask({ 'x-afh-token': `${host.token.slice(0, -1)}x` })).toMatchObject({ status: 200, body: { token: 'invalid' } });
    expect(await ask({})).toMatchObject({ status: 200, body: { token: 'invalid' } });
    expect((await get('/__afh/hello', { Host: `evil.example:${host.port}`, 'x-afh-token': host.token })).status).toBe(421);
  });
});

describe('browser host: the WebSocket door', () => {
  it('refuses a connection without the token', async () => {
    const { outcome } = await handshake(wsUrl(), { Origin: origin() });
    expect(outcome).toBe(401);
  });

  it('refuses a connection with a wrong token, even one of the right length', async () => {
    const wrong = host.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await handshake(wsUrl(wrong), { Origin: origin() })).outcome).toBe(401);
    expect((await handshake(wsUrl('guess'), { Origin: origin() })).outcome).toBe(401);
  });

  it('refuses a connection from another Origin even with the right token', async () => {
    for (const o of ['http://evil.example', 'http://localhost:' + host.port, 'null']) {
      expect((await handshake(wsUrl(host.token), { Origin: o })).outcome, o).toBe(403);
    }
  });

  it('refuses a connection that sends no Origin at all', async () => {
    expect((await handshake(wsUrl(host.token), {})).outcome).toBe(403);
  });

  it('lets the right page in: a client with the token and the host’s own Origin can call people.search', async () => {
    const { outcome, ws, messages } = await handshake(wsUrl(host.token), { Origin: origin() });
    expect(outcome).toBe('open');
    ws.send(JSON.stringify({ id: 1, channel: 'people.search', input: { query: 'JOSE' } }));
    ws.send(JSON.stringify({ id: 2, channel: 'people.drop', input: {} }));
    await expect.poll(() => messages.filter((m) => 'id' in m).length, { timeout: 10_000 }).toBe(2);
    const answer = messages.find((m) => m.id === 1) as { result: { ok: boolean; data: { items: Array<{ id: string }> } } };
    expect(answer.result.ok).toBe(true);
    expect(answer.result.data.items.map((i) => i.id)).toEqual(['usr_2_jose']);
    expect(messages.find((m) => m.id === 2)).toMatchObject({ result: { ok: false, error: { code: 'bad_request', field: 'channel' } } });
    // A page that connects gets the current state at once.
    expect(messages.some((m) => m.event === 'auth.changed')).toBe(true);
    expect(messages.some((m) => m.event === 'sync.status')).toBe(true);
    ws.close();
  });
});

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.warn('browser host in Chromium: skipped, /usr/bin/chromium is not installed');
describe.skipIf(!existsSync(CHROMIUM))('browser host in Chromium (skips when /usr/bin/chromium is absent)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the served page gets window.afh (host "browser"), calls through it, and the token leaves the address bar', async () => {
    const page = await browser.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    await page.goto(host.url);
    await page.waitForFunction(() => document.getElementById('root')?.textContent === 'ready');
    const result = await page.evaluate(async () => {
      const afh = window.afh!;
      const r = await afh.call('people.search', { query: 'zoe' });
      return { host: afh.host, ok: r.ok, ids: r.ok ? (r.data as { items: Array<{ id: string }> }).items.map((i) => i.id) : [] };
    });
    expect(result).toEqual({ host: 'browser', ok: true, ids: ['usr_3_zoe'] });
    expect(page.url()).not.toContain('token=');
    // A reload keeps working (the token is kept for this tab only).
    await page.reload();
    const again = await page.evaluate(async () => (await window.afh!.call('people.count', { query: '' })).ok);
    expect(again).toBe(true);
    expect(cspErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.close();
  });

  it('the page’s offline and online events reach the core’s sync status', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(host.url);
    await page.waitForFunction(() => document.getElementById('root')?.textContent === 'ready');
    expect(await page.evaluate(async () => (await window.afh!.call('people.count', { query: '' })).ok)).toBe(true);
    const online = (): boolean => host.core.snapshot()['sync.status'].online;
    expect(online()).toBe(true);
    // The browser's own events, as the OS network goes and comes back. (Playwright's offline
    // emulation would also hold back the loopback WebSocket frames, which a real laptop does not.)
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await expect.poll(online, { timeout: 10_000 }).toBe(false);
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(online, { timeout: 10_000 }).toBe(true);
    await context.close();
  });

  it('a People search with a 9 MiB paste gets a plain "too large" refusal from the page itself (the connection is kept), and the next call works', async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    await page.waitForFunction(() => document.getElementById('root')?.textContent === 'ready');
    const result = await page.evaluate(async () => {
      const afh = window.afh!;
      // Above the host's frame cap too: sent as is, it would cost the connection (1009).
      const big = await afh.call('people.search', { query: 'x'.repeat(9 * 1024 * 1024) });
      const next = await afh.call('people.search', { query: 'zoe' });
      return { big, nextOk: next.ok };
    });
    expect(result.big).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/too large/i) } });
    expect(result.nextOk).toBe(true);
    await page.close();
  });

  it('a page from another origin cannot open the WebSocket even if it learned the token', async () => {
    const page = await browser.newPage();
    await page.goto('about:blank');
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new window.WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      wsUrl(host.token),
    );
    expect(outcome).toBe('refused');
    await page.close();
  });
});
