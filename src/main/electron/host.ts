import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { ELECTRON_CALL_CHANNEL, ELECTRON_EVENT_CHANNEL } from '../../shared/electronIpc.js';
import type { IpcResult, Channel } from '../../shared/ipc.js';
import { createCore } from '../core/createCore.js';
import type { Core } from '../core/coreApi.js';
import { EVENT_NAMES } from '../core/events.js';
import { APP_URL, registerAppScheme, serveRenderer } from './appProtocol.js';
import { installMenu } from './menu.js';
import { watchNetwork } from './network.js';
import { appOrigin, isTrustedFrame } from '../ipc/senderOrigin.js';
import { hardenSession, lockDownWebContents } from './security.js';
import { electronTokenStore } from './tokenStore.js';
import { DEFAULT_BOUNDS, loadWindowState, trackWindowState } from './windowState.js';

// The Electron host: windows, menus, OS integration and the IPC door. Everything else (the
// database, sync, the handlers) is the core, the same code the browser host runs.

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main in a build

/**
 * better-sqlite3 compiled for Electron's ABI (`npm run rebuild:electron`), kept apart from
 * the Node build in node_modules so tests and the browser host keep working in one checkout.
 */
function nativeBindingPath(): string | undefined {
  const candidates = app.isPackaged
    ? [path.join(process.resourcesPath, 'native', 'better_sqlite3.node')]
    : [path.resolve(here, '../../native/electron/better_sqlite3.node')];
  return candidates.find((p) => existsSync(p));
}

function serverUrlFromArgs(argv: readonly string[]): string | null {
  const arg = argv.find((a) => a.startsWith('--server='));
  return arg ? arg.slice('--server='.length) : (process.env.AFH_SERVER_URL ?? null);
}

export function runElectronHost(): void {
  registerAppScheme();
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    // Two instances would be two writers on one database and two sync engines.
    app.quit();
    return;
  }

  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const origin = appOrigin(devUrl);
  lockDownWebContents(origin);

  let core: Core | null = null;
  let win: BrowserWindow | null = null;
  let stopNetwork: (() => void) | null = null;

  const createWindow = (): BrowserWindow => {
    const stateFile = path.join(app.getPath('userData'), 'window-state.json');
    const saved = loadWindowState(stateFile);
    const w = new BrowserWindow({
      ...(saved ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : DEFAULT_BOUNDS),
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'AfH Coordinator',
      webPreferences: {
        preload: path.join(here, '../preload/index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        spellcheck: true,
      },
    });
    if (saved?.maximized) w.maximize();
    trackWindowState(w, stateFile);
    w.once('ready-to-show', () => w.show());
    void w.loadURL(devUrl ?? APP_URL);
    return w;
  };

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  void app.whenReady().then(async () => {
    // AFH_DATA_DIR lets `npm run demo` keep its data apart from the coordinator's own.
    const dataDir = process.env.AFH_DATA_DIR ?? path.join(app.getPath('userData'), 'data');
    mkdirSync(dataDir, { recursive: true });
    const nativeBinding = nativeBindingPath();
    let running: Core;
    try {
      running = await createCore({
        dataDir,
        tokenStore: electronTokenStore(dataDir),
        // Contract checks on every answer while developing; a packaged app trusts its own handlers.
        validateOutput: !app.isPackaged,
        serverUrl: serverUrlFromArgs(process.argv),
        ...(nativeBinding ? { nativeBinding } : {}),
        ...(app.isPackaged ? { migrationsFolder: path.join(app.getAppPath(), 'drizzle', 'client') } : {}),
      });
    } catch (err) {
      console.error('[afh] could not open the local database:', err);
      dialog.showErrorBox(
        'AfH Coordinator could not start',
        nativeBinding
          ? `The local database could not be opened in ${dataDir}.`
          : 'The database driver for Electron is missing. Run "npm run rebuild:electron" and start again.',
      );
      app.exit(1);
      return;
    }
    core = running;

    // The default session is the only one the app uses.
    hardenSession(session.defaultSession, devUrl);
    if (!devUrl) serveRenderer(path.resolve(here, '../renderer'));

    ipcMain.handle(ELECTRON_CALL_CHANNEL, async (event, channel: unknown, input: unknown): Promise<IpcResult<Channel>> => {
      if (!isTrustedFrame(event.senderFrame, origin)) {
        return { ok: false, error: { code: 'unauthorized', message: 'Calls are accepted only from the app’s own page.' } };
      }
      return running.dispatch(channel, input);
    });
    for (const name of EVENT_NAMES) {
      running.on(name, (payload) => {
        for (const w of BrowserWindow.getAllWindows()) {
          if (!w.isDestroyed()) w.webContents.send(ELECTRON_EVENT_CHANNEL, { event: name, payload });
        }
      });
    }

    stopNetwork = watchNetwork((online) => running.setOnline(online));
    installMenu({
      window: () => win,
      syncNow: () => void running.dispatch('sync.now', {}),
      dev: !app.isPackaged,
    });
    win = createWindow();
    win.on('closed', () => {
      win = null;
    });
  });

  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the core: a sync transaction in flight finishes (or rolls back whole)
  // and the database is closed cleanly before the process goes.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !core) return;
    event.preventDefault();
    stopNetwork?.();
    const c = core;
    core = null;
    void c
      .close()
      .catch((err: unknown) => console.error('[afh] closing the core failed:', err))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
