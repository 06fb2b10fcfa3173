import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, session } from 'electron';
import { createCore } from '../core/createCore.js';
import type { Core } from '../core/coreApi.js';
import { remoteContentFromEnv, type RemoteContentPolicy } from '../hostShared/remoteContent.js';
import { appOrigin, type AppOrigin } from '../ipc/senderOrigin.js';
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

/** What the host holds while it runs; the app's event handlers read and clear it. */
interface HostState {
  core: Core | null;
  tokenStore: ElectronTokenStore | null;
  win: BrowserWindow | null;
  stopNetwork: (() => void) | null;
}

/** Everything the start-up needs that was settled before Electron was ready. */
interface StartContext {
  env: NonNullable<ElectronHostOptions['env']>;
  argv: readonly string[];
  log: Log;
  devUrl: string | undefined;
  origin: AppOrigin;
  /** Null when the environment's remote-content setting is wrong; `configError` says how. */
  remoteContent: RemoteContentPolicy | null;
  configError: string | null;
}

export function runElectronHost(opts: ElectronHostOptions = {}): ElectronHost {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((line: string) => console.warn(line));

  registerAppScheme();
  app.enableSandbox();

  if (!app.requestSingleInstanceLock()) {
    // Two instances would be two writers on one database and two sync engines.
    app.quit();
    return { ready: Promise.resolve(null) };
  }

  const devUrl = app.isPackaged ? undefined : env.ELECTRON_RENDERER_URL;
  const ctx: StartContext = { env, argv: opts.argv ?? process.argv, log, devUrl, origin: appOrigin(devUrl), ...readRemoteContent(env) };
  if (ctx.remoteContent) lockDownWebContents(ctx.origin, ctx.remoteContent, log);

  const state: HostState = { core: null, tokenStore: null, win: null, stopNetwork: null };
  app.on('second-instance', () => focus(state.win));
  app.on('activate', () => {
    if (state.core && BrowserWindow.getAllWindows().length === 0) state.win = createWindow(devUrl);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  closeCoreBeforeQuit(state, log);

  return { ready: start(state, ctx) };
}

/** The remote-content policy from the environment, or why the environment's setting is wrong. */
function readRemoteContent(env: StartContext['env']): { remoteContent: RemoteContentPolicy | null; configError: string | null } {
  try {
    return { remoteContent: remoteContentFromEnv(env), configError: null };
  } catch (err) {
    return { remoteContent: null, configError: err instanceof Error ? err.message : String(err) };
  }
}

function createWindow(devUrl: string | undefined): BrowserWindow {
  return openMainWindow({ userData: app.getPath('userData'), preload: path.join(here, '../preload/index.cjs'), url: devUrl ?? APP_URL });
}

/** A second launch brings the running window forward instead of opening another app. */
function focus(win: BrowserWindow | null): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
}

async function start(state: HostState, ctx: StartContext): Promise<Core | null> {
  await app.whenReady();
  if (!ctx.remoteContent) return fail('AfH Coordinator could not start', `A setting is wrong: ${ctx.configError}`, ctx.log);
  const running = await openCore(state, ctx);
  if (!running) return null;
  showApp(state, running, { ...ctx, remoteContent: ctx.remoteContent });
  return running;
}

/** The token store and the core over the data folder, or a start-up failure shown to the user (null). */
async function openCore(state: HostState, { env, argv, log }: StartContext): Promise<Core | null> {
  // AFH_DATA_DIR lets `npm run demo` keep its data apart from the coordinator's own.
  const dataDir = env.AFH_DATA_DIR ?? path.join(app.getPath('userData'), 'data');
  const nativeBinding = nativeBindingPath();
  try {
    ensurePrivateDir(dataDir);
    state.tokenStore = await openElectronTokenStore(dataDir, { log });
    state.core = await createCore({
      dataDir,
      tokenStore: state.tokenStore,
      // Contract checks on every answer while developing; a packaged app trusts its own handlers.
      validateOutput: !app.isPackaged,
      serverUrl: serverUrlFrom(argv, env),
      ...(nativeBinding ? { nativeBinding } : {}),
      ...(app.isPackaged ? { migrationsFolder: path.join(app.getAppPath(), 'drizzle', 'client') } : {}),
    });
    return state.core;
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
}

/** The hardened session, the renderer's files, the IPC door, network watching, the menu and the window. */
function showApp(state: HostState, running: Core, ctx: StartContext & { remoteContent: RemoteContentPolicy }): void {
  const { devUrl, remoteContent, log } = ctx;
  // The default session is the only one the app uses.
  hardenSession(session.defaultSession, { devUrl, remoteContent, log });
  if (!devUrl) serveRenderer(path.resolve(here, '../renderer'), remoteContent);
  openIpcDoor(running, ctx.origin);

  state.stopNetwork = watchNetwork((online) => running.setOnline(online));
  installMenu({
    window: () => state.win,
    syncNow: () => void running.dispatch('sync.now', {}),
    dev: !app.isPackaged,
  });
  const win = createWindow(devUrl);
  state.win = win;
  win.on('closed', () => {
    state.win = null;
  });
}

/**
 * Quit waits for the core: a sync transaction in flight finishes (or rolls back whole), the
 * database is closed cleanly and the token's last write lands before the process goes.
 */
function closeCoreBeforeQuit(state: HostState, log: Log): void {
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed || !state.core) return;
    event.preventDefault();
    state.stopNetwork?.();
    const c = state.core;
    state.core = null;
    void c
      .close()
      .then(() => state.tokenStore?.flush())
      .catch((err: unknown) => log(`[afh] closing the core failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}
