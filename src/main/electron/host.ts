import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, session } from 'electron';
import { createCore } from '../core/createCore.js';
import type { Core } from '../core/coreApi.js';
import { remoteContentFromEnv, type RemoteContentPolicy } from '../hostShared/remoteContent.js';
import { appOrigin } from '../ipc/senderOrigin.js';
import { ensurePrivateDir } from '../localData/privateFiles.js';
import { APP_URL, registerAppScheme, serveRenderer } from './appProtocol.js';
import { openIpcDoor } from './ipcDoor.js';
import { openMainWindow } from './mainWindow.js';
import { installMenu } from './menu.js';
import { watchNetwork } from './network.js';
import { hardenSession, lockDownWebContents, type Log } from './security.js';
import { openElectronTokenStore, type ElectronTokenStore } from './safeStorageTokenStore.js';
import { DatabaseFromNewerReleaseError } from '../db/releaseCheck.js';

// The Electron host: windows, menus, OS integration and the IPC door. Everything else (the
// database, sync, the handlers) is the core, the same code the browser host runs.

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main in a build

interface ElectronHostOptions {
  env?: Readonly<Record<string, string | undefined>>;
  argv?: readonly string[];
  log?: Log;
}

interface ElectronHost {
  /** The running core once the window is up; null if this instance did not start (another runs, or it failed). */
  readonly ready: Promise<Core | null>;
}

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

function serverUrlFrom(argv: readonly string[], env: ElectronHostOptions['env'] = {}): string | null {
  const arg = argv.find((a) => a.startsWith('--server='));
  return arg ? arg.slice('--server='.length) : (env.AFH_SERVER_URL ?? null);
}

function fail(title: string, message: string, log: Log): null {
  log(`[afh] ${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
  return null;
}

export function runElectronHost(opts: ElectronHostOptions = {}): ElectronHost {
  const env = opts.env ?? process.env;
  const argv = opts.argv ?? process.argv;
  const log = opts.log ?? ((line: string) => console.warn(line));

  registerAppScheme();
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    // Two instances would be two writers on one database and two sync engines.
    app.quit();
    return { ready: Promise.resolve(null) };
  }

  let remoteContent: RemoteContentPolicy | null = null;
  let configError: string | null = null;
  try {
    remoteContent = remoteContentFromEnv(env);
  } catch (err) {
    configError = err instanceof Error ? err.message : String(err);
  }

  const devUrl = app.isPackaged ? undefined : env.ELECTRON_RENDERER_URL;
  const origin = appOrigin(devUrl);
  if (remoteContent) lockDownWebContents(origin, remoteContent, log);

  let core: Core | null = null;
  let tokenStore: ElectronTokenStore | null = null;
  let win: BrowserWindow | null = null;
  let stopNetwork: (() => void) | null = null;

  const createWindow = (): BrowserWindow =>
    openMainWindow({ userData: app.getPath('userData'), preload: path.join(here, '../preload/index.cjs'), url: devUrl ?? APP_URL });

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  const start = async (): Promise<Core | null> => {
    await app.whenReady();
    if (!remoteContent) return fail('AfH Coordinator could not start', `A setting is wrong: ${configError}`, log);
    // AFH_DATA_DIR lets `npm run demo` keep its data apart from the coordinator's own.
    const dataDir = env.AFH_DATA_DIR ?? path.join(app.getPath('userData'), 'data');
    const nativeBinding = nativeBindingPath();
    try {
      ensurePrivateDir(dataDir);
      tokenStore = await openElectronTokenStore(dataDir, { log });
      core = await createCore({
        dataDir,
        tokenStore,
        // Contract checks on every answer while developing; a packaged app trusts its own handlers.
        validateOutput: !app.isPackaged,
        serverUrl: serverUrlFrom(argv, env),
        ...(nativeBinding ? { nativeBinding } : {}),
        ...(app.isPackaged ? { migrationsFolder: path.join(app.getAppPath(), 'drizzle', 'client') } : {}),
      });
    } catch (err) {
      log(`[afh] could not open the local database: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof DatabaseFromNewerReleaseError) return fail('AfH Coordinator could not start', err.message, log);
      return fail(
        'AfH Coordinator could not start',
        nativeBinding
          ? `The local database could not be opened in ${dataDir}.`
          : 'The database driver for Electron is missing. Run "npm run rebuild:electron" and start again.',
        log,
      );
    }
    const running = core;

    // The default session is the only one the app uses.
    hardenSession(session.defaultSession, { devUrl, remoteContent, log });
    if (!devUrl) serveRenderer(path.resolve(here, '../renderer'), remoteContent);
    openIpcDoor(running, origin);

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
    return running;
  };

  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) win = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quit waits for the core: a sync transaction in flight finishes (or rolls back whole), the
  // database is closed cleanly and the token's last write lands before the process goes.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !core) return;
    event.preventDefault();
    stopNetwork?.();
    const c = core;
    core = null;
    void c
      .close()
      .then(() => tokenStore?.flush())
      .catch((err: unknown) => log(`[afh] closing the core failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });

  return { ready: start() };
}
