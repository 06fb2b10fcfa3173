import type { Scope } from '../../shared/scope.js';
import type Database from 'better-sqlite3';
import type { AuthStatus } from '../../shared/ipc.js';
import { SessionUser } from '../../shared/protocol.js';
import { isCoordinator } from '../../shared/enums.js';
import { serverUrlProblem } from '../../shared/serverUrl.js';
import { ProtocolClient, SyncHttpError } from './protocolClient.js';
import { adoptServer, type Adoption } from './serverIdentity.js';
import type { SqliteHost } from './sqliteHost.js';
import type { TokenStore } from './tokenStores.js';

export type { TokenStore } from './tokenStores.js';

// The signed-in coordinator. The token lives in a host-provided store; the server URL and
// the user live in the `setting` table so every host shows the same thing after a restart.

const KEY_SERVER = 'server.url';
const KEY_USER = 'session.user';
/** The address used before the last change of address: tells "another server" from "same server" for data synced before protocol 2. */
const KEY_PREVIOUS_SERVER = 'server.previousUrl';

export class SessionError extends Error {
  constructor(
    readonly code: 'unauthorized' | 'forbidden' | 'unavailable' | 'bad_request',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export class Session {
  private readonly sqlite: Database.Database;
  private readonly listeners = new Set<(s: AuthStatus) => void>();
  private readonly switchListeners = new Set<() => void>();
  private readonly f: typeof fetch | undefined;

  constructor(
    app: SqliteHost,
    readonly tokenStore: TokenStore,
    opts: { fetch?: typeof fetch } = {},
  ) {
    this.sqlite = app.sqlite;
    this.f = opts.fetch;
  }

  serverUrl(): string | null {
    return this.get(KEY_SERVER);
  }

  /** Point at a server without signing in (the CLI's --server). A different server signs out. */
  setServerUrl(url: string): void {
    const normalized = url.replace(/\/+$/, '');
    const problem = serverUrlProblem(normalized);
    if (problem) throw new SessionError('bad_request', `The server address ${problem}.`, 'serverUrl');
    const before = this.serverUrl();
    if (before === normalized) return;
    if (before !== null) this.set(KEY_PREVIOUS_SERVER, before);
    this.set(KEY_SERVER, normalized);
    this.tokenStore.clear();
    this.emit();
  }

  user(): SessionUser | null {
    const raw = this.get(KEY_USER);
    if (!raw) return null;
    const parsed = SessionUser.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  }

  token(): string | null {
    return this.tokenStore.load();
  }

  authStatus(): AuthStatus {
    const token = this.token();
    const user = this.user();
    return { signedIn: token !== null && user !== null, user: token ? user : null, serverUrl: this.serverUrl() };
  }

  async signIn(serverUrl: string, email: string, password: string): Promise<AuthStatus> {
    const base = serverUrl.replace(/\/+$/, '');
    const problem = serverUrlProblem(base);
    if (problem) throw new SessionError('bad_request', `The server address ${problem}.`, 'serverUrl');
    const client = new ProtocolClient({ baseUrl: base, fetch: this.f, timeoutMs: 30_000 });
    let res;
    try {
      res = await client.login(email, password);
    } catch (e) {
      if (e instanceof SyncHttpError) {
        if (e.kind === 'unauthorized') throw new SessionError('unauthorized', 'Wrong email or password.', 'password');
        if (e.kind === 'rate_limited') {
          const wait = Math.ceil((e.extra.retryAfterMs ?? 60_000) / 1000);
          throw new SessionError('unauthorized', `Too many sign-in attempts; try again in ${wait < 120 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}.`, 'email');
        }
        if (e.kind === 'network' || e.kind === 'server') throw new SessionError('unavailable', e.message, 'serverUrl');
        throw new SessionError('bad_request', e.message, e.extra.field);
      }
      throw e;
    }
    if (!isCoordinator(res.user.roles)) {
      throw new SessionError('forbidden', 'This account is not a coordinator (it needs the admin role) and cannot sync.', 'email');
    }
    const stored = this.serverUrl();
    const previousUrl = stored !== null && stored !== base ? stored : (this.get(KEY_PREVIOUS_SERVER) ?? stored);
    // Another database than the one this laptop's data came from: start over with it (serverIdentity.ts).
    this.lastAdoption = adoptServer(this.sqlite, { databaseId: res.databaseId, serverUrl: base, previousUrl }, new Date());
    this.sqlite.transaction(() => {
      this.set(KEY_SERVER, base);
      this.set(KEY_USER, JSON.stringify(res.user));
      this.sqlite.prepare('DELETE FROM setting WHERE key = ?').run(KEY_PREVIOUS_SERVER);
    }).immediate();
    this.tokenStore.save(res.token);
    this.emit();
    if (this.lastAdoption === 'switched') for (const l of this.switchListeners) l();
    return this.authStatus();
  }

  /** What the last sign-in found: the same database, a first binding, or another database (local data started over). */
  lastAdoption: Adoption | null = null;

  /** Called after a sign-in that started local data over for another server's database. */
  onServerSwitched(l: () => void): () => void {
    this.switchListeners.add(l);
    return () => this.switchListeners.delete(l);
  }

  /** Revoke the token on the server if it can be reached; forget it locally either way. */
  async signOut(): Promise<AuthStatus> {
    const token = this.token();
    const base = this.serverUrl();
    this.tokenStore.clear();
    this.emit();
    if (token && base) {
      try {
        await new ProtocolClient({ baseUrl: base, token, fetch: this.f, timeoutMs: 5_000 }).logout();
      } catch {
        // Offline sign-out still signs out; the token expires on its own.
      }
    }
    return this.authStatus();
  }

  /** The server answered 401: the token is no longer good. The outbox is left untouched. */
  markExpired(): void {
    if (this.token() === null) return;
    this.tokenStore.clear();
    this.emit();
  }

  onChange(l: (s: AuthStatus) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** The server told us this coordinator's communities (a pull page): keep them with the user, tell the screens if they changed. */
  noteScope(scope: Scope): void {
    const user = this.user();
    if (!user || JSON.stringify(user.scope) === JSON.stringify(scope)) return;
    this.set(KEY_USER, JSON.stringify({ ...user, scope }));
    this.emit();
  }

  private emit(): void {
    const s = this.authStatus();
    for (const l of this.listeners) l(s);
  }

  private get(key: string): string | null {
    const r = this.sqlite.prepare('SELECT value FROM setting WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  private set(key: string, value: string): void {
    this.sqlite.prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
