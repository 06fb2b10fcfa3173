import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../src/main/browserHost/server.js';
import { CSP_REPORT_PATH } from '../../src/main/browserHost/cspReport.js';

// Issue 14 item 7 in the browser host: a member photo loads only from the avatar origin; one
// pointing anywhere else is refused by the page's CSP before any request leaves the browser,
// and the host logs one line naming the refused origin only. Real HTTP, real Chromium.

// A 1×1 PNG.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let dir: string;
let host: BrowserHost;
const logs: string[] = [];
const hits: Record<'avatars' | 'tracker', string[]> = { avatars: [], tracker: [] };
const servers: Server[] = [];
let avatarsOrigin: string;
let trackerOrigin: string;

async function imageServer(name: keyof typeof hits): Promise<string> {
  const server = createServer((req, res) => {
    hits[name].push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'image/png' }).end(PIXEL);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-remote-'));
  avatarsOrigin = await imageServer('avatars');
  trackerOrigin = await imageServer('tracker');
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><title>AfH</title></head><body></body></html>');
  host = await startBrowserHost({
    port: 0,
    dataDir: path.join(dir, 'data'),
    rendererDir,
    remoteContent: { imageOrigins: [avatarsOrigin], linkOrigins: [] },
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await host?.close();
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(pathname: string, body: string, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path: pathname, method: 'POST', headers: { 'Content-Type': type } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('browser host: the CSP report door', () => {
  it('logs a report as one line with the refused origin only, once, and refuses what is not a report', async () => {
    const report = JSON.stringify({
      'csp-report': { 'effective-directive': 'img-src', 'blocked-uri': 'https://tracker.example/p/usr_42.jpg?who=maya' },
    });
    const before = logs.length;
    expect(await post(CSP_REPORT_PATH, report, 'application/csp-report')).toBe(204);
    expect(await post(CSP_REPORT_PATH, report, 'application/csp-report')).toBe(204);
    expect(logs.slice(before)).toEqual(["[browser host] refused by the page's content policy (img-src): https://tracker.example"]);
    expect(await post(CSP_REPORT_PATH, '{"hello":1}', 'application/json')).toBe(400);
    expect(await post(CSP_REPORT_PATH, 'x'.repeat(20_000), 'application/csp-report')).toBe(413);
    expect(await post('/index.html', report, 'application/csp-report')).toBe(405);
  });
});

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.warn('remote content in Chromium: skipped, /usr/bin/chromium is not installed');
describe.skipIf(!existsSync(CHROMIUM))('browser host in Chromium: member photos (skips when /usr/bin/chromium is absent)', () => {
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

  it('a photo from the avatar origin loads; one from any other host is never requested, and the host logs its origin only', async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    const loaded = await page.evaluate(
      ({ good, bad }) =>
        Promise.all(
          [good, bad].map(
            (src) =>
              new Promise<boolean>((resolve) => {
                const img = new Image();
                img.onload = () => resolve(true);
                img.onerror = () => resolve(false);
                img.src = src;
                document.body.append(img);
              }),
          ),
        ),
      { good: `${avatarsOrigin}/usr_1.png`, bad: `${trackerOrigin}/usr_2.png?member=maya` },
    );
    expect(loaded).toEqual([true, false]);
    expect(hits.avatars).toEqual(['/usr_1.png']);
    expect(hits.tracker).toEqual([]);
    await expect.poll(() => logs, { timeout: 10_000 }).toContain(`[browser host] refused by the page's content policy (img-src): ${trackerOrigin}`);
    expect(logs.join('\n')).not.toContain('usr_2');
    await page.close();
  });
});
