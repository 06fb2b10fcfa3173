import path from 'node:path';
import { ensurePrivateDir } from '../localData/privateFiles.js';
import { createDispatcher, type Dispatch } from '../ipc/dispatch.js';
import { mapCoreError } from '../ipc/errorMapping.js';
import { buildHandlers, type Runtime } from '../ipc/handlers.js';
import type { TokenStore } from '../sync/tokenStore.js';
import type { Core } from './coreApi.js';
import { createEventBus, type EventBus } from './eventBus.js';
import { LiveRuntime } from './liveRuntime.js';
import { MemberPhotos } from './memberPhotos.js';
import { PreferencesStore } from './preferences.js';
import { probeHealth, Reachability, watchServerConnection } from './reachability.js';

// The app without a window: database, session, local mutations, sync engine and the IPC
// handlers, as plain Node. The Electron host and the browser host each wrap one of these.
// This is the composition root; each part it wires is built by a function or module of its own.

export const DATABASE_FILE = 'afh.sqlite';

type LogError = (where: string, err: unknown) => void;

export interface CreateCoreOptions {
  /** Where the local database lives (the "local data location" in Settings). */
  dataDir: string;
  tokenStore: TokenStore;
  /** better-sqlite3's addon built for Electron's ABI (the Electron host). */
  nativeBinding?: string;
  migrationsFolder?: string;
  /** Point the app at this server (e.g. `npm run demo`); a different stored server signs out. */
  serverUrl?: string | null;
  fetch?: typeof fetch;
  /** Check every handler's output against the contract (default: on unless NODE_ENV=production). */
  validateOutput?: boolean;
  /** Quiet time before the local file is tidied after a change (db/maintenance.ts; default 2 s). */
  maintenanceIdleMs?: number;
  /** Start syncing at once (default true); tests of the IPC layer alone turn it off. */
  autoStart?: boolean;
  debounceMs?: number;
  logError?: LogError;
}

export async function createCore(opts: CreateCoreOptions): Promise<Core> {
  // Every member's data lives here: readable by this account only, narrowed again if an older release made it wider.
  ensurePrivateDir(opts.dataDir);
  const autoStart = opts.autoStart ?? true;
  const logError = opts.logError ?? ((where, err) => console.error(`[core] ${where}:`, err));
  const validate = opts.validateOutput ?? process.env.NODE_ENV !== 'production';
  const bus = createEventBus(validate, logError);
  // The reachability watcher and the runtime each need the other: the watcher probes the current
  // server and tells its engine; the runtime reports every sync status to the watcher.
  const reachability = createReachability(opts, () => live.current);
  const live = new LiveRuntime({
    dbFile: path.join(opts.dataDir, DATABASE_FILE),
    tokenStore: opts.tokenStore,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {}),
    ...(opts.serverUrl !== undefined ? { serverUrl: opts.serverUrl } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.maintenanceIdleMs !== undefined ? { maintenanceIdleMs: opts.maintenanceIdleMs } : {}),
    autoStart,
    bus,
    observeStatus: (s) => reachability.observe(s),
    logError,
  });
  const dispatch = createCoreDispatch(opts, live, reachability, { validate, logError });
  reachability.start();
  if (autoStart) live.current.engine.start();
  return coreApi(opts.dataDir, { bus, live, reachability, dispatch });
}

/** Whether the server answers: probed and watched while signed in, and told to the current engine. */
function createReachability(opts: CreateCoreOptions, current: () => Runtime): Reachability {
  return new Reachability({
    probe: async () => {
      const url = current().session.serverUrl();
      return url ? probeHealth(url, opts.fetch) : true;
    },
    apply: (online) => current().engine.setOnline(online),
    enabled: () => current().session.authStatus().signedIn,
    // A caller that brings its own fetch (tests that stage the network) sees only that network.
    ...(opts.fetch
      ? {}
      : {
          watch: (onDrop: () => void) => {
            const url = current().session.serverUrl();
            return url ? watchServerConnection(url, onDrop) : () => undefined;
          },
        }),
  });
}

/** The contract's handlers over the live runtime; calls wait out a reset and are refused once closed. */
function createCoreDispatch(
  opts: CreateCoreOptions,
  live: LiveRuntime,
  reachability: Reachability,
  { validate, logError }: { validate: boolean; logError: LogError },
): Dispatch {
  const inner = createDispatcher(
    buildHandlers({
      runtime: () => live.current,
      dataDir: opts.dataDir,
      preferences: new PreferencesStore(opts.dataDir),
      photos: new MemberPhotos({ ...(opts.fetch ? { fetch: opts.fetch } : {}), online: () => reachability.online }),
      tokenStore: opts.tokenStore,
      localChange: (tables) => live.noteLocalChange(tables),
      resetLocalData: (notice) => live.reset(notice),
    }),
    { validateOutput: validate, mapError: mapCoreError, logError: (channel, err) => logError(channel, err) },
  );
  return async (channel, input) => {
    // Calls wait while local data is being swapped; none may touch a closed database.
    await live.settled();
    if (live.isClosed) return { ok: false, error: { code: 'unavailable', message: 'The app is shutting down.' } };
    return inner(channel, input);
  };
}

/** What the host holds: the dispatcher, events, the state snapshot, the network hint and shutdown. */
function coreApi(dataDir: string, parts: { bus: EventBus; live: LiveRuntime; reachability: Reachability; dispatch: Dispatch }): Core {
  const { bus, live, reachability, dispatch } = parts;
  let closing: Promise<void> | null = null;
  return {
    dispatch,
    dataDir,
    on: (event, listener) => bus.on(event, listener),
    snapshot: () => ({ 'sync.status': live.current.engine.status(), 'auth.changed': live.current.session.authStatus() }),
    setOnline: (online) => reachability.setHostOnline(online),
    close() {
      closing ??= (async () => {
        await live.beginClose();
        reachability.close();
        await live.close();
        bus.clear();
      })();
      return closing;
    },
  };
}
