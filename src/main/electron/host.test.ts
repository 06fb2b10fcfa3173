import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ELECTRON_CALL_CHANNEL, ELECTRON_EVENT_CHANNEL } from '../../shared/electronIpc.js';
import type { Core } from '../core/coreApi.js';
import { DATABASE_FILE } from '../core/createCore.js';
import { openDatabase } from '../db/open.js';
import { app as fakeApp, fake, type FakeBrowserWindow } from './testing/fakeElectron.js';
import { runElectronHost } from './host.js';

// The Electron host's own logic under Node, with `electron` replaced by a recording fake
// (./testing/fakeElectron.ts): what it asks of Electron, and what it does with what Electron
// hands it. The core behind it is the real one over a real SQLite file. This is not the
// Electron runtime: e2e/electron.spec.ts drives the real app where the binary exists.

vi.mock('electron', () => import('./testing/fakeElectron.js'));

let userData: string;
let logs: string[];
let running: Core | null;

beforeEach(() => {
  fake.reset();
  userData = mkdtempSync(path.join(tmpdir(), 'afh-electron-'));
  fake.userData = userData;
  logs = [];
  running = null;
});

afterEach(async () => {
  await running?.close();
  rmSync(userData, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<{ core: Core | null; win: FakeBrowserWindow | undefined }> {
  const host = runElectronHost({ env, argv: [], log: (l) => logs.push(l) });
  fake.ready.resolve();
  running = await host.ready;
  return { core: running, win: fake.windows[0] };
}

const navEvent = () => ({ preventDefault: vi.fn() });

describe('Electron host: the window', () => {
  it('opens one window whose page runs sandboxed and context-isolated, with no Node and web security on', async () => {
    const { win } = await start();
    expect(fake.sandboxEnabled).toBe(true);
    expect(fake.windows).toHaveLength(1);
    const prefs = win!.options.webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(prefs.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/);
    expect(win!.loadedUrl).toBe('app://renderer/index.html');
  });

  it('a second instance quits at once, without opening the database or a window', async () => {
    fake.singleInstance = false;
    const { core } = await start();
    expect(core).toBeNull();
    expect(fake.quitCalls).toBe(1);
    expect(fake.windows).toEqual([]);
    expect(existsSync(path.join(userData, 'data'))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('makes the data folder 0700 and the database 0600', async () => {
    await start();
    const dataDir = path.join(userData, 'data');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dataDir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('quitting waits for the core to close the database cleanly, then quits', async () => {
    const { core } = await start();
    const wal = path.join(userData, 'data', `${DATABASE_FILE}-wal`);
    expect(existsSync(wal)).toBe(true);
    const event = navEvent();
    fakeApp.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await expect.poll(() => fake.quitCalls, { timeout: 10_000 }).toBe(1);
    // The last connection's clean close checkpoints and removes the WAL.
    expect(existsSync(wal)).toBe(false);
    expect(await core!.dispatch('settings.get', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    running = null;
  });
});

describe('Electron host: the page stays in the app', () => {
  it('navigating to another origin is stopped; the app’s own pages load', async () => {
    const { win } = await start();
    const away = navEvent();
    win!.webContents.emit('will-navigate', away, 'https://evil.example/login');
    expect(away.preventDefault).toHaveBeenCalled();
    const own = navEvent();
    win!.webContents.emit('will-navigate', own, 'app://renderer/index.html#/people');
    expect(own.preventDefault).not.toHaveBeenCalled();
    const redirect = navEvent();
    win!.webContents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = navEvent();
    win!.webContents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('new windows are always denied; an allowed site or a mail address opens in the OS, anything else is refused and logged', async () => {
    const { win } = await start();
    const open = win!.webContents.windowOpenHandler!;
    expect(open({ url: 'https://www.actionforhappiness.org/about' })).toEqual({ action: 'deny' });
    expect(open({ url: 'https://tracker.example/p/usr_42?member=maya' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    win!.webContents.emit('will-navigate', navEvent(), 'mailto:maya@example.org');
    expect(fake.openedExternally).toEqual(['https://www.actionforhappiness.org/about', 'mailto:maya@example.org']);
    const refusals = logs.filter((l) => l.includes('refused to open'));
    expect(refusals).toEqual([
      '[afh] refused to open https://tracker.example outside the app (not on the link allowlist)',
      '[afh] refused to open a file: address outside the app (not on the link allowlist)',
    ]);
  });

  it('refuses every permission request and check (camera, notifications, geolocation, …)', async () => {
    await start();
    const s = fake.session;
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal'] as const) {
      const callback = vi.fn();
      s.permissionRequestHandler!({} as never, permission, callback, {} as never);
      expect(callback).toHaveBeenCalledWith(false);
      expect(s.permissionCheckHandler!(null, permission, 'app://renderer', {} as never)).toBe(false);
    }
  });
});

describe('Electron host: remote content', () => {
  /** `fromPage: false` is a request the browser makes on its own (no webContents). */
  const request = (url: string, resourceType: 'image' | 'xhr' | 'script', fromPage = true) =>
    new Promise<{ cancel?: boolean }>((resolve) =>
      fake.session.beforeRequest!({ url, resourceType, ...(fromPage ? { webContentsId: 1 } : {}) }, resolve),
    );

  it('the page may load photos from the avatar host only; other requests are cancelled and logged once, without their path', async () => {
    await start();
    expect(await request('https://avatars.example.org/usr_1.jpg', 'image')).toEqual({});
    expect(await request('https://tracker.example/usr_1.jpg', 'image')).toEqual({ cancel: true });
    expect(await request('https://tracker.example/usr_2.jpg', 'image')).toEqual({ cancel: true });
    expect(await request('https://avatars.example.org/api', 'xhr')).toEqual({ cancel: true });
    expect(logs.filter((l) => l.includes('refused a'))).toEqual([
      '[afh] refused a image request to https://tracker.example (not an allowed origin)',
      '[afh] refused a xhr request to https://avatars.example.org (not an allowed origin)',
    ]);
  });

  it('requests the browser itself makes (no page behind them) are not the page’s, and pass', async () => {
    await start();
    expect(await request('https://redirector.gvt1.com/dictionaries/en-GB.bdic', 'xhr', false)).toEqual({});
  });

  it('the app’s own app://, data: and blob: URLs pass; a WebSocket to anywhere is refused', async () => {
    await start();
    expect(await request('app://renderer/assets/index.js', 'script')).toEqual({});
    expect(await request('data:image/png;base64,iVBORw0KGgo=', 'image')).toEqual({});
    expect(await request('blob:app://renderer/5b1c', 'xhr')).toEqual({});
    expect(await request('wss://collector.example/socket', 'xhr')).toEqual({ cancel: true });
  });

  it('AFH_AVATAR_ORIGINS moves the avatar host; the CSP for pages served over http says the same', async () => {
    await start({ AFH_AVATAR_ORIGINS: 'https://img.example.com' });
    expect(await request('https://img.example.com/a.jpg', 'image')).toEqual({});
    expect(await request('https://avatars.example.org/a.jpg', 'image')).toEqual({ cancel: true });
    const headers = await new Promise<Record<string, string[]>>((resolve) =>
      fake.session.headersReceived!({ url: 'http://localhost:5173/', responseHeaders: {} }, (r) =>
        resolve(r.responseHeaders as Record<string, string[]>),
      ),
    );
    const csp = headers['Content-Security-Policy']![0]!;
    expect(csp).toContain("img-src 'self' data: https://img.example.com;");
  });

  it('a malformed AFH_AVATAR_ORIGINS stops start-up with a message naming the variable, before the database opens', async () => {
    const { core } = await start({ AFH_AVATAR_ORIGINS: 'https://*.example.org' });
    expect(core).toBeNull();
    expect(fake.exitCode).toBe(1);
    expect(fake.errorBoxes[0]?.content).toMatch(/AFH_AVATAR_ORIGINS: /);
    expect(existsSync(path.join(userData, 'data', DATABASE_FILE))).toBe(false);
  });
  it('a data folder last used by a newer release stops start-up with words saying so, and the file is not opened for writing', async () => {
    const dataDir = path.join(userData, 'data');
    mkdirSync(dataDir, { recursive: true });
    const made = openDatabase(path.join(dataDir, DATABASE_FILE));
    made.sqlite
      .prepare(
        'UPDATE __drizzle_migrations SET created_at = created_at + 1000000000 WHERE created_at = (SELECT MAX(created_at) FROM __drizzle_migrations)',
      )
      .run();
    made.close();
    const { core } = await start();
    expect(core).toBeNull();
    expect(fake.exitCode).toBe(1);
    expect(fake.errorBoxes[0]?.content).toMatch(/newer version of AfH Coordinator/);
  });
});

describe('Electron host: the IPC door', () => {
  const call = (frame: { url: string; parent: unknown } | null, channel: string, input: unknown) =>
    (fake.ipcHandlers.get(ELECTRON_CALL_CHANNEL) as (e: unknown, c: unknown, i: unknown) => Promise<unknown>)({ senderFrame: frame }, channel, input);
  const appFrame = { url: 'app://renderer/index.html', parent: null };

  it('serves calls from the app’s own top-level page through the real core', async () => {
    await start();
    const answer = (await call(appFrame, 'settings.get', {})) as { ok: boolean; data: { dataLocation: string } };
    expect(answer.ok).toBe(true);
    expect(answer.data.dataLocation).toBe(path.join(userData, 'data'));
  });

  it('refuses calls from an iframe, from another origin, and from a frame that is gone', async () => {
    await start();
    const unauthorized = { ok: false, error: { code: 'unauthorized' } };
    expect(await call({ url: 'app://renderer/index.html', parent: {} }, 'settings.get', {})).toMatchObject(unauthorized);
    expect(await call({ url: 'https://evil.example/', parent: null }, 'settings.get', {})).toMatchObject(unauthorized);
    expect(await call({ url: 'app://evil/index.html', parent: null }, 'settings.get', {})).toMatchObject(unauthorized);
    expect(await call(null, 'settings.get', {})).toMatchObject(unauthorized);
  });

  it('still checks every call against the contract: an unknown channel or a bad field is refused by name', async () => {
    await start();
    expect(await call(appFrame, 'people.drop', {})).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'channel' } });
    expect(await call(appFrame, 'member.get', { id: '' })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'id' } });
  });

  it('the core’s events reach the window', async () => {
    const { win } = await start();
    await call(appFrame, 'auth.signOut', {});
    expect(win!.webContents.sent.some((m) => m.channel === ELECTRON_EVENT_CHANNEL && (m.payload as { event: string }).event === 'auth.changed')).toBe(
      true,
    );
  });
});

describe('Electron host: where the sign-in is kept, through Settings', () => {
  const call = (channel: string, input: unknown) =>
    (fake.ipcHandlers.get(ELECTRON_CALL_CHANNEL) as (e: unknown, c: unknown, i: unknown) => Promise<unknown>)(
      { senderFrame: { url: 'app://renderer/index.html', parent: null } },
      channel,
      input,
    );

  it.skipIf(process.platform !== 'linux')('Linux without a keyring: memory only until the coordinator opts in, then a 0600 file', async () => {
    fake.storageBackend = 'basic_text';
    await start();
    expect(await call('settings.get', {})).toMatchObject({ ok: true, data: { tokenStorage: 'memory', keepSignInOnDisk: false } });
    expect(await call('settings.setKeepSignInOnDisk', { keep: true })).toMatchObject({
      ok: true,
      data: { tokenStorage: 'plain-file', keepSignInOnDisk: true },
    });
  });

  it('with a keyring there is nothing to choose: the setting is refused naming the field', async () => {
    fake.storageBackend = 'gnome_libsecret';
    await start();
    expect(await call('settings.get', {})).toMatchObject({ ok: true, data: { tokenStorage: 'safeStorage', keepSignInOnDisk: null } });
    expect(await call('settings.setKeepSignInOnDisk', { keep: true })).toMatchObject({ ok: false, error: { code: 'bad_request', field: 'keep' } });
  });
});
