import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fake } from './testing/fakeElectron.js';
import { APP_URL, registerAppScheme, serveRenderer } from './appProtocol.js';

// The app:// protocol that serves the renderer in the Electron host, run under Node with the
// recording fake in place of `electron`: the handler it registers is called with real
// Request objects and answers real Responses.

vi.mock('electron', () => import('./testing/fakeElectron.js'));

let base: string;
let handle: (request: Request) => Response | Promise<Response>;

beforeAll(() => {
  fake.reset();
  base = mkdtempSync(path.join(tmpdir(), 'afh-app-protocol-'));
  const renderer = path.join(base, 'renderer');
  mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>AfH</title>');
  writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'outside the renderer');
  serveRenderer(renderer, { imageOrigins: ['https://avatars.example.org'], linkOrigins: [] });
  handle = fake.protocolHandlers.get('app')!;
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the app:// protocol', () => {
  it('is registered as a standard, secure scheme (so the page gets an origin and a secure context)', () => {
    registerAppScheme();
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serves the renderer with the CSP (photos from the avatar host only) and nosniff', async () => {
    const res = await handle(new Request(APP_URL));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>AfH</title>');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("img-src 'self' data: https://avatars.example.org;");
    expect((await handle(new Request('app://renderer/assets/app.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for another host, a missing file, and paths that climb out of the renderer folder', async () => {
    for (const url of ['app://other/index.html', 'app://renderer/missing.js', 'app://renderer/%2e%2e/secret.txt', 'app://renderer/..%2fsecret.txt']) {
      const res = await handle(new Request(url));
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('outside the renderer');
    }
  });
});
