import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { electronBinary } from '../scripts/electronRuntime.mjs';
import { startServer, type RunningServer } from '../src/server/startServer.js';
import type { AfhApi } from '../src/shared/ipc.js';

// The Electron host end to end: the real built app (electron-vite build), driven through
// Playwright's Electron support, against the real reference server. Runs wherever the
// Electron binary exists. npm installs the electron package (its types and launcher) but,
// from Electron 42, not its binary, which `npx install-electron` downloads from GitHub; the
// build machines cannot, so there it skips. (The host's own logic is unit-tested under Node
// with a fake electron module in src/main/electron/*.test.ts; that is not this.)

const root = path.resolve(import.meta.dirname, '..');
const found = electronBinary();
const SKIP_MESSAGE = `the Electron binary is not on this machine (${found.reason ?? ''})`;
const executable = found.path;
if (!executable) console.warn(`e2e/electron.spec.ts skipped: ${SKIP_MESSAGE}`);

const COORDINATOR = { email: 'coordinator@demo.local', password: 'demo-coordinator' };

describe.skipIf(!executable)('Electron host (skipped where the Electron binary has not been downloaded)', () => {
  let work: string;
  let server: RunningServer;
  let app: ElectronApplication;
  let page: Page;

  const launch = async (): Promise<void> => {
    app = await electron.launch({
      executablePath: executable!,
      args: [path.join(root, 'out', 'main', 'index.js')],
      cwd: root,
      env: { ...process.env, AFH_DATA_DIR: path.join(work, 'app'), AFH_SERVER_URL: server.url, NODE_ENV: 'production' },
    });
    page = await app.firstWindow();
    await page.waitForFunction(() => typeof (window as { afh?: unknown }).afh === 'object');
  };

  beforeAll(async () => {
    const run = (cmd: string, args: string[]): void => {
      const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
    };
    if (!existsSync(path.join(root, 'native', 'electron', 'better_sqlite3.node'))) run('npm', ['run', 'rebuild:electron']);
    run('npx', ['electron-vite', 'build']);

    work = mkdtempSync(path.join(tmpdir(), 'afh-electron-'));
    const seed = inject('seedDir');
    const serverDir = path.join(work, 'server');
    if (seed && existsSync(seed)) cpSync(seed, serverDir, { recursive: true });
    server = await startServer({ port: 0, data: serverDir, demo: seed && existsSync(seed) ? null : 'small' });
    await launch();
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exposes exactly window.afh to the page (host "electron"), and no Node or ipcRenderer', async () => {
    const seen = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & { afh: AfhApi };
      return {
        host: w.afh.host,
        keys: Object.keys(w.afh).sort(),
        require: typeof w.require,
        process: typeof w.process,
        ipcRenderer: typeof w.ipcRenderer,
        electron: typeof w.electron,
      };
    });
    expect(seen).toEqual({
      host: 'electron',
      keys: ['call', 'host', 'on'],
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      electron: 'undefined',
    });
  });

  it('refuses unknown channels and malformed input with a field-naming error', async () => {
    const results = await page.evaluate(async () => {
      const afh = (window as unknown as { afh: AfhApi }).afh;
      const call = afh.call as (c: string, i: unknown) => ReturnType<AfhApi['call']>;
      return [await call('people.drop', {}), await call('member.get', { id: '' })];
    });
    expect(results[0]).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'channel' } });
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'id' } });
  });

  it('serves the renderer from app:// with a strict CSP, and blocks navigation and new windows', async () => {
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("img-src 'self' data: https://avatars.example.org;");
    const before = page.url();
    expect(before.startsWith('app://renderer/')).toBe(true);
    const opened = await page.evaluate(() => window.open('https://example.org/') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      window.location.href = 'https://example.org/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
    expect(app.windows()).toHaveLength(1);
  });

  it('signs in against the real server, syncs, and finds a demo member', async () => {
    const found = await page.evaluate(
      async ({ serverUrl, email, password }) => {
        const afh = (window as unknown as { afh: AfhApi }).afh;
        const signIn = await afh.call('auth.signIn', { serverUrl, email, password });
        if (!signIn.ok) return { error: signIn.error.message };
        const synced = await afh.call('sync.now', {});
        const people = await afh.call('people.count', { query: '' });
        return { synced: synced.ok, count: people.ok ? people.data.count : -1 };
      },
      { serverUrl: server.url, ...COORDINATOR },
    );
    expect(found).toMatchObject({ synced: true });
    expect((found as { count: number }).count).toBeGreaterThan(100);
    await page.screenshot({ path: path.join(root, 'e2e', 'screenshots', 'electron-signed-in.png') });
  });

  it('quits cleanly and comes back with the same data and session', async () => {
    const before = await page.evaluate(async () => {
      const afh = (window as unknown as { afh: AfhApi }).afh;
      const s = await afh.call('settings.get', {});
      return s.ok ? s.data.clientId : null;
    });
    await app.close();
    await launch();
    const after = await page.evaluate(async () => {
      const afh = (window as unknown as { afh: AfhApi }).afh;
      const [s, a] = [await afh.call('settings.get', {}), await afh.call('auth.status', {})];
      return { clientId: s.ok ? s.data.clientId : null, signedIn: a.ok && a.data.signedIn };
    });
    expect(after).toEqual({ clientId: before, signedIn: true });
  });
});
