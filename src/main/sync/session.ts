import { hostname } from 'node:os';
import type { Scope } from '../../shared/scope.js';
import type Database from 'better-sqlite3';
import type { AuthStatus } from '../../shared/ipc.js';
import { SessionUser, type SessionList } from '../../shared/protocol.js';
import { isCoordinator } from '../../shared/enums.js';
import { serverUrlProblem } from '../../shared/serverUrl.js';
import { ProtocolClient, SyncHttpError } from './protocolClient.js';
import { adoptServer, type Adoption } from './serverBinding.js';
import type { SqliteHost } from './sqliteHost.js';
import type { TokenStore } from './tokenStore.js';
import { readSyncState, setPreviousServerUrl } from '../db/syncState.js';

export type { TokenStore } from './tokenStore.js';

// The signed-in coordinator. The token lives in a host-provided store; the server URL and
// the user live in the `setting` table so every host shows the same thing after a restart. The
// address used before the last change of address belongs to the sync state (sync_state.previous_server_url):
// it tells "another server" from "same server" for data synced before protocol 2.

const KEY_SERVER = 'server.url';
const KEY_USER = 'session.user';

export type RevokedReason = 'device_revoked' | 'not_a_coordinator';

/** What the coordinator is told after the laptop's data was removed for them (no personal data). */
export const REVOKED_MESSAGES: Record<RevokedReason, string> = {
  device_revoked: 'An administrator signed this laptop out of AfH Coordinator, so its copy of the data was removed. Sign in again to continue.',
  not_a_coordinator: "Your account is no longer a coordinator, so this laptop's copy of the data was removed.",
};

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
  private readonly signingInListeners = new Set<() => void>();
  private readonly switchListeners = new Set<() => void>();
  private readonly revokedListeners = new Set<(reason: RevokedReason) => void>();
  private readonly f: typeof fetch | undefined;
  private readonly deviceName: string;

  constructor(
    app: SqliteHost,
    readonly tokenStore: TokenStore,
    opts: { fetch?: typeof fetch; deviceName?: string } = {},
  ) {
    this.sqlite = app.sqlite;
    this.f = opts.fetch;
    // The computer's name, so the coordinator can tell their devices apart in the list.
    this.deviceName = (opts.deviceName ?? hostname()).trim().slice(0, 100) || 'This computer';
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
    if (before !== null) setPreviousServerUrl(this.sqlite, before);
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
    const notice = this.sqlite
      .prepare("SELECT message FROM notice WHERE kind = 'data_wiped' AND dismissed_at IS NULL ORDER BY id DESC LIMIT 1")
      .get() as { message: string } | undefined;
    return { signedIn: token !== null && user !== null, user: token ? user : null, serverUrl: this.serverUrl(), notice: notice?.message ?? null };
  }

  async signIn(serverUrl: string, email: string, password: string): Promise<AuthStatus> {
    const base = serverUrl.replace(/\/+$/, '');
    const problem = serverUrlProblem(base);
    if (problem) throw new SessionError('bad_request', `The server address ${problem}.`, 'serverUrl');
    const client = new ProtocolClient({ baseUrl: base, fetch: this.f, timeoutMs: 30_000 });
    for (const l of this.signingInListeners) l();
    let res;
    try {
      res = await client.login(email, password, { clientId: readSyncState(this.sqlite).clientId, deviceName: this.deviceName });
    } catch (e) {
      if (e instanceof SyncHttpError) {
        if (e.kind === 'device_revoked') {
          this.revoked('device_revoked');
          throw new SessionError('forbidden', REVOKED_MESSAGES.device_revoked, 'email');
        }
        if (e.kind === 'unauthorized') throw new SessionError('unauthorized', 'Wrong email or password.', 'password');
        if (e.kind === 'rate_limited') {
          const wait = Math.ceil((e.extra.retryAfterMs ?? 60_000) / 1000);
          throw new SessionError(
            'unauthorized',
            `Too many sign-in attempts; try again in ${wait < 120 ? `${wait} seconds` : `${Math.ceil(wait / 60)} minutes`}.`,
            'email',
          );
        }
        if (e.kind === 'network' || e.kind === 'server') throw new SessionError('unavailable', e.message, 'serverUrl');
        throw new SessionError('bad_request', e.message, e.extra.field);
      }
      throw e;
    }
    if (!isCoordinator(res.user.roles)) {
      // The coordinator whose data this is lost the role while signed out: the data goes (someone
      // else signing in with a non-coordinator account leaves it alone).
      if (this.user()?.id === res.user.id) {
        this.revoked('not_a_coordinator');
        throw new SessionError('forbidden', REVOKED_MESSAGES.not_a_coordinator, 'email');
      }
      throw new SessionError('forbidden', 'This account is not a coordinator (it needs the admin role) and cannot sync.', 'email');
    }
    const stored = this.serverUrl();
    const previousUrl = stored !== null && stored !== base ? stored : (readSyncState(this.sqlite).previousServerUrl ?? stored);
    // Another database than the one this laptop's data came from: start over with it (serverBinding.ts).
    this.lastAdoption = adoptServer(this.sqlite, { databaseId: res.databaseId, serverUrl: base, previousUrl }, new Date());
    this.sqlite
      .transaction(() => {
        this.set(KEY_SERVER, base);
        this.set(KEY_USER, JSON.stringify(res.user));
        setPreviousServerUrl(this.sqlite, null);
      })
      .immediate();
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

  /**
   * The server said this laptop may not keep its data (a revoked device, a lost coordinator
   * role): the token goes now, and the listener (the core) removes the local data.
   */
  revoked(reason: RevokedReason): void {
    this.tokenStore.clear();
    this.emit();
    for (const l of this.revokedListeners) l(reason);
  }

  onRevoked(l: (reason: RevokedReason) => void): () => void {
    this.revokedListeners.add(l);
    return () => this.revokedListeners.delete(l);
  }

  /** The signed-in user's sessions (one per device), from the server. */
  async listSessions(): Promise<SessionList> {
    return this.withClient((c) => c.sessions());
  }

  /** End one of the user's sessions (another device's, say). */
  async endSession(id: string): Promise<void> {
    await this.withClient((c) => c.revokeSession(id));
  }

  private async withClient<T>(fn: (c: ProtocolClient) => Promise<T>): Promise<T> {
    const token = this.token();
    const base = this.serverUrl();
    if (!token || !base) throw new SessionError('unauthorized', 'Sign in to see your devices.');
    try {
      return await fn(new ProtocolClient({ baseUrl: base, token, fetch: this.f, timeoutMs: 15_000 }));
    } catch (e) {
      if (!(e instanceof SyncHttpError)) throw e;
      if (e.kind === 'device_revoked' || e.kind === 'not_a_coordinator') {
        this.revoked(e.kind);
        throw new SessionError('forbidden', REVOKED_MESSAGES[e.kind]);
      }
      if (e.kind === 'unauthorized') {
        this.markExpired();
        throw new SessionError('unauthorized', 'Signed out: sign in again.');
      }
      if (e.kind === 'network' || e.kind === 'server') throw new SessionError('unavailable', e.message);
      if (e.kind === 'bad_request' || e.extra.status === 404) throw new SessionError('bad_request', e.message, 'id');
      throw new SessionError('unavailable', e.message);
    }
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

  /** A sign-in request is about to go out (the sync engine gets a first sync's worker ready meanwhile). */
  onSigningIn(l: () => void): () => void {
    this.signingInListeners.add(l);
    return () => this.signingInListeners.delete(l);
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
