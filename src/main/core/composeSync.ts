import type { AppDb } from '../db/open.js';
import { SyncEngine } from '../sync/engine.js';
import { LocalMutations } from '../sync/localMutations.js';
import { Session } from '../sync/session.js';
import type { TokenStore } from '../sync/tokenStore.js';

// The one place a local database gets its session, local mutations and sync engine, wired to
// each other. The app's core (createCore) and the shell's CLI both build their sync parts here,
// so the two cannot drift in how an engine learns who is signed in or where the server is.

export interface SyncParts {
  app: AppDb;
  session: Session;
  mutations: LocalMutations;
  engine: SyncEngine;
}

export interface ComposeSyncOptions {
  tokenStore: TokenStore;
  /** Point the session at this server (a different stored server signs out). */
  serverUrl?: string | null;
  fetch?: typeof fetch;
  debounceMs?: number;
  /** Rows per pull page (the engine's default when unset). */
  pullLimit?: number;
  /** better-sqlite3's addon for this runtime's ABI: the pull worker opens its own connection with it. */
  nativeBinding?: string;
}

/** Session, local mutations and sync engine over an open database. The caller owns `app`. */
export function composeSync(app: AppDb, opts: ComposeSyncOptions): SyncParts {
  const session = new Session(app, opts.tokenStore, opts.fetch ? { fetch: opts.fetch } : {});
  if (opts.serverUrl) session.setServerUrl(opts.serverUrl);
  const mutations = new LocalMutations(app, { getUserId: () => session.user()?.id ?? null });
  const engine = new SyncEngine({
    app,
    session,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.pullLimit !== undefined ? { pullLimit: opts.pullLimit } : {}),
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
  });
  return { app, session, mutations, engine };
}
