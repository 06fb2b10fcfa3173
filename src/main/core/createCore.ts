import path from 'node:path';
import { ipcEvents, type EventName, type EventPayload } from '../../shared/ipc.js';
import { DATA_TABLES } from '../../shared/rows.js';
import { LocalMaintenance } from '../db/maintenance.js';
import { openDatabase } from '../db/open.js';
import { recordNotice } from '../localData/notices.js';
import { ensurePrivateDir } from '../localData/privateFiles.js';
import { removeDatabaseFiles } from '../localData/wipe.js';
import { createDispatcher, type Dispatch } from '../ipc/dispatch.js';
import { mapCoreError } from '../ipc/errorMapping.js';
import { buildHandlers, type Runtime } from '../ipc/handlers.js';
import { SyncEngine } from '../sync/engine.js';
import { LocalMutations } from '../sync/localMutations.js';
import { REVOKED_MESSAGES, Session } from '../sync/session.js';
import type { TokenStore } from '../sync/tokenStore.js';
import type { Core } from './coreApi.js';
import { MemberPhotos } from './memberPhotos.js';
import { PreferencesStore } from './preferences.js';
import { probeHealth, Reachability, watchServerConnection } from './reachability.js';
import { serverUrlProblem } from '../../shared/serverUrl.js';

// The app without a window: database, session, local mutations, sync engine and the IPC
// handlers, as plain Node. The Electron host and the browser host each wrap one of these.

export const DATABASE_FILE = 'afh.sqlite';

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
  logError?: (where: string, err: unknown) => void;
}

export async function createCore(opts: CreateCoreOptions): Promise<Core> {
  // Every member's data lives here: readable by this account only, narrowed again if an older release made it wider.
  ensurePrivateDir(opts.dataDir);
  const dbFile = path.join(opts.dataDir, DATABASE_FILE);
  const autoStart = opts.autoStart ?? true;
  const logError = opts.logError ?? ((where, err) => console.error(`[core] ${where}:`, err));

  const validate = opts.validateOutput ?? process.env.NODE_ENV !== 'production';
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    // Events cross the same boundary as call results, so in dev and tests they are held to
    // the contract too: a payload that drifted is reported, not delivered.
    if (validate) {
      const checked = ipcEvents[event].safeParse(payload);
      if (!checked.success) {
        logError(`event ${event} does not match the contract`, checked.error);
        return;
      }
    }
    for (const l of listeners.get(event) ?? []) {
      try {
        (l as (p: EventPayload<E>) => void)(payload);
      } catch (err) {
        logError(`listener for ${event}`, err);
      }
    }
  };

  let runtime: Runtime;
  let maintenance: LocalMaintenance;
  let syncing = false;
  let unsubscribe: Array<() => void> = [];

  const openRuntime = (): Runtime => {
    const app = openDatabase(dbFile, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {}),
      log: (line) => console.log(line),
    });
    try {
      const session = new Session(app, opts.tokenStore, opts.fetch ? { fetch: opts.fetch } : {});
      if (opts.serverUrl) session.setServerUrl(opts.serverUrl);
      const mutations = new LocalMutations(app, { getUserId: () => session.user()?.id ?? null });
      const engine = new SyncEngine({
        app,
        session,
        ...(opts.fetch ? { fetch: opts.fetch } : {}),
        ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
        // The pull worker opens its own connection, so it needs the same addon as ours.
        ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      });
      return { app, session, mutations, engine };
    } catch (err) {
      app.close();
      throw err;
    }
  };

  const reachability = new Reachability({
    probe: async () => {
      const url = runtime.session.serverUrl();
      return url ? probeHealth(url, opts.fetch) : true;
    },
    apply: (online) => runtime.engine.setOnline(online),
    enabled: () => runtime.session.authStatus().signedIn,
    // A caller that brings its own fetch (tests that stage the network) sees only that network.
    ...(opts.fetch
      ? {}
      : {
          watch: (onDrop: () => void) => {
            const url = runtime.session.serverUrl();
            return url ? watchServerConnection(url, onDrop) : () => undefined;
          },
        }),
  });

  const wire = (rt: Runtime): void => {
    maintenance = new LocalMaintenance(rt.app.sqlite, {
      isBusy: () => syncing,
      ...(opts.maintenanceIdleMs !== undefined ? { idleMs: opts.maintenanceIdleMs } : {}),
      logError: (err) => logError('local maintenance', err),
    });
    maintenance.start();
    unsubscribe = [
      rt.engine.onStatus((s) => {
        syncing = s.phase === 'pushing' || s.phase === 'pulling';
        reachability.observe(s);
        emit('sync.status', s);
      }),
      rt.engine.onDataChanged((tables) => {
        maintenance.noteChange(tables);
        emit('data.changed', { tables });
      }),
      // A revoked device or a lost coordinator role: this laptop's data goes, and the app says why.
      // Deferred, since the engine reporting it is still inside its run (the reset stops the engine).
      rt.session.onRevoked((reason) => {
        setImmediate(() => {
          if (closed) return;
          startReset(REVOKED_MESSAGES[reason]).catch((err: unknown) => logError('removing local data', err));
        });
      }),
      rt.session.onChange((s) => {
        emit('auth.changed', s);
        emit('sync.status', rt.engine.status());
      }),
    ];
  };

  runtime = openRuntime();
  wire(runtime);

  let closed = false;
  let resetting: Promise<void> | null = null;

  const resetLocalData = async (notice?: string): Promise<void> => {
    const old = runtime;
    const serverUrl = old.session.serverUrl();
    for (const u of unsubscribe) u();
    maintenance.close();
    await old.engine.stop();
    old.app.close();
    // A reset also signs out: the token belongs to the data being erased.
    opts.tokenStore.clear();
    removeDatabaseFiles(dbFile);
    runtime = openRuntime();
    // Said in the new, empty database: the coordinator sees why their data went (AuthStatus.notice).
    if (notice) recordNotice(runtime.app.sqlite, 'data_wiped', new Date(), notice);
    // An address the app no longer accepts (plain http:// to another machine) is not carried over.
    if (serverUrl && !opts.serverUrl && serverUrlProblem(serverUrl) === null) runtime.session.setServerUrl(serverUrl);
    wire(runtime);
    if (autoStart && !closed) runtime.engine.start();
    emit('auth.changed', runtime.session.authStatus());
    emit('sync.status', runtime.engine.status());
    emit('data.changed', { tables: [...DATA_TABLES] });
  };

  const startReset = (notice?: string): Promise<void> => {
    if (resetting) return resetting;
    resetting = resetLocalData(notice).finally(() => {
      resetting = null;
    });
    return resetting;
  };

  const preferences = new PreferencesStore(opts.dataDir);
  const photos = new MemberPhotos({ ...(opts.fetch ? { fetch: opts.fetch } : {}), online: () => reachability.online });

  const inner = createDispatcher(
    buildHandlers({
      runtime: () => runtime,
      dataDir: opts.dataDir,
      preferences,
      photos,
      tokenStore: opts.tokenStore,
      localChange: (tables) => {
        maintenance.noteChange(tables);
        emit('data.changed', { tables });
        runtime.engine.notifyLocalChange();
      },
      resetLocalData: (notice) => startReset(notice),
    }),
    {
      validateOutput: validate,
      mapError: mapCoreError,
      logError: (channel, err) => logError(channel, err),
    },
  );

  const dispatch: Dispatch = async (channel, input) => {
    // Calls wait while local data is being swapped; none may touch a closed database.
    if (resetting) await resetting.catch(() => undefined);
    if (closed) return { ok: false, error: { code: 'unavailable', message: 'The app is shutting down.' } };
    return inner(channel, input);
  };

  reachability.start();
  if (autoStart) runtime.engine.start();

  let closing: Promise<void> | null = null;
  return {
    dispatch,
    dataDir: opts.dataDir,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (payload: never) => void;
      set.add(l);
      return () => {
        set.delete(l);
      };
    },
    snapshot: () => ({ 'sync.status': runtime.engine.status(), 'auth.changed': runtime.session.authStatus() }),
    setOnline: (online) => reachability.setHostOnline(online),
    close() {
      closing ??= (async () => {
        closed = true;
        if (resetting) await resetting.catch(() => undefined);
        reachability.close();
        for (const u of unsubscribe) u();
        await runtime.engine.stop();
        // Whatever a last sync deleted leaves the file before the process goes.
        maintenance.close({ finish: true });
        runtime.app.close();
        listeners.clear();
      })();
      return closing;
    },
  };
}
