import type { z } from 'zod';
import { ErrorBody, LoginAnswer, SessionList, PushResponse, type PullRequest, type PushRequest } from '../../shared/protocol.js';
import { isLoopbackHost, serverUrlProblem } from '../../shared/serverUrl.js';

// Speaks docs/protocol.md over fetch. Every answer is validated; every failure becomes a
// SyncHttpError whose `kind` tells the engine what to do (retry, back off, sign out, …).

export type SyncErrorKind =
  | 'network'
  | 'unauthorized'
  | 'forbidden'
  /** 401 device_revoked: a superadmin revoked this install; the app removes its local data. */
  | 'device_revoked'
  /** 403 not_a_coordinator: the account lost the coordinator role; the app removes its local data. */
  | 'not_a_coordinator'
  | 'rate_limited'
  | 'server'
  | 'mutation_gap'
  | 'resync_required'
  | 'client_diverged'
  | 'database_changed'
  | 'upgrade_required'
  | 'bad_request'
  | 'bad_response'
  | 'aborted';

export class SyncHttpError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    readonly extra: { status?: number; expected?: number; retryAfterMs?: number; field?: string } = {},
  ) {
    super(message);
    this.name = 'SyncHttpError';
  }
}

export interface ProtocolClientOptions {
  baseUrl: string;
  token?: string | null;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Per request; a stalled connection is treated like a dropped one. */
  timeoutMs?: number;
}

/**
 * Compression only pays where the link is slower than the CPUs at both ends. For a server on
 * this same machine (the demo, a local test server) it is pure cost: a 2 MB pull page takes
 * ~8 ms to gzip and ~3 ms to gunzip, and a first sync has hundreds of them.
 */
function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

export class ProtocolClient {
  private readonly f: typeof fetch;
  private readonly base: string;
  private readonly acceptEncoding: string;

  constructor(private readonly opts: ProtocolClientOptions) {
    this.f = opts.fetch ?? fetch;
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.acceptEncoding = isLoopbackUrl(this.base) ? 'identity' : 'gzip';
  }

  login(email: string, password: string, device: { clientId?: string; deviceName?: string } = {}) {
    return this.post('/v1/auth/login', { email, password, ...device }, LoginAnswer, false);
  }

  /** The signed-in user's live sessions, with the device each came from. */
  sessions() {
    return this.post('/v1/auth/sessions', undefined, SessionList, true, 'GET');
  }

  async revokeSession(id: string): Promise<void> {
    await this.request(`/v1/auth/sessions/${encodeURIComponent(id)}/revoke`, {}, true);
  }

  async logout(): Promise<void> {
    await this.request('/v1/auth/logout', {}, true);
  }

  push(body: PushRequest) {
    return this.post('/v1/sync/push', body, PushResponse, true);
  }

  /**
   * A pull answer as raw bytes (already un-gzipped), for a pull worker to decode, check and
   * apply off the main thread; an ArrayBuffer moves to a worker without a copy.
   */
  async pullBytes(body: PullRequest): Promise<ArrayBuffer> {
    const res = await this.request('/v1/sync/pull', body, true);
    try {
      return await res.arrayBuffer();
    } catch (e) {
      throw this.networkOrAbort(e, 'the answer was cut off');
    }
  }

  private async post<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    auth: boolean,
    method: 'POST' | 'GET' = 'POST',
  ): Promise<z.output<S>> {
    const res = await this.request(path, body, auth, method);
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      throw this.networkOrAbort(e, 'the answer was cut off');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      // A server from before protocol 2 answers without the database it holds.
      if (typeof json === 'object' && json !== null && !('databaseId' in json)) {
        throw new SyncHttpError(
          'bad_response',
          `The server at ${this.base} runs an older version of the sync service than this app; it must be updated before this app can sync.`,
        );
      }
      throw new SyncHttpError(
        'bad_response',
        `The server at ${this.base} sent an answer this app does not understand (${parsed.error.issues[0]?.path.join('.') ?? 'body'}).`,
      );
    }
    return parsed.data;
  }

  private async request(path: string, body: unknown, auth: boolean, method: 'POST' | 'GET' = 'POST'): Promise<Response> {
    // Checked on every request, not only at sign-in: a server address stored by an older
    // release (or set with the CLI) must not carry a password or token in the clear either.
    const problem = serverUrlProblem(this.base);
    if (problem) throw new SyncHttpError('bad_request', `The server address ${this.base} ${problem}.`, { field: 'serverUrl' });
    const headers: Record<string, string> = { 'accept-encoding': this.acceptEncoding };
    if (method === 'POST') headers['content-type'] = 'application/json; charset=utf-8';
    if (auth) {
      if (!this.opts.token) throw new SyncHttpError('unauthorized', 'Signed out: sign in again.');
      headers.authorization = `Bearer ${this.opts.token}`;
    }
    const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? 60_000)];
    if (this.opts.signal) signals.push(this.opts.signal);
    let res: Response;
    try {
      // Never follow a redirect: fetch would resend the body (a password) and, to the same
      // origin, the token to wherever it points. The server never redirects; a 3xx is a proxy,
      // a captive portal or a misconfigured address, and is reported as such.
      res = await this.f(this.base + path, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any(signals),
        redirect: 'manual',
      });
    } catch (e) {
      throw this.networkOrAbort(e, 'no connection');
    }
    if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => undefined);
      const to = res.headers.get('location');
      throw new SyncHttpError(
        'server',
        `The server at ${this.base} answered with a redirect${to ? ` to ${to}` : ''}. The app does not follow redirects, so nothing was sent there; check the server address (or sign in to the network first, if it has a sign-in page).`,
        { status: res.status, field: 'serverUrl' },
      );
    }
    if (res.ok) return res;
    throw await this.toError(res);
  }

  private networkOrAbort(e: unknown, what: string): SyncHttpError {
    if (this.opts.signal?.aborted) return new SyncHttpError('aborted', 'Sync was stopped.');
    const detail = e instanceof Error && e.name === 'TimeoutError' ? 'it did not answer in time' : what;
    return new SyncHttpError('network', `Can't reach the server at ${this.base} (${detail}).`);
  }

  private async toError(res: Response): Promise<SyncHttpError> {
    let body: ErrorBody | null = null;
    try {
      const parsed = ErrorBody.safeParse(await res.json());
      if (parsed.success) body = parsed.data;
    } catch {
      // A proxy's HTML error page, or a cut connection: the status says enough.
    }
    const message = body?.error.message ?? res.statusText;
    const extra = { status: res.status, field: body?.error.field };
    if (res.status === 401 && body?.error.code === 'device_revoked') return new SyncHttpError('device_revoked', message, extra);
    if (res.status === 401) return new SyncHttpError('unauthorized', 'Signed out: sign in again.', extra);
    if (res.status === 403 && body?.error.code === 'not_a_coordinator') return new SyncHttpError('not_a_coordinator', message, extra);
    if (res.status === 403) return new SyncHttpError('forbidden', `The server refused: ${message}`, extra);
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      return new SyncHttpError('rate_limited', 'The server is busy; trying again shortly.', {
        ...extra,
        retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : 5000,
      });
    }
    if (res.status === 409 && body?.error.code === 'mutation_gap') {
      return new SyncHttpError('mutation_gap', message, { ...extra, expected: body.expected });
    }
    if (res.status === 409 && body?.error.code === 'resync_required') return new SyncHttpError('resync_required', message, extra);
    if (res.status === 409 && body?.error.code === 'client_diverged') return new SyncHttpError('client_diverged', message, extra);
    if (res.status === 409 && body?.error.code === 'database_changed') return new SyncHttpError('database_changed', message, extra);
    if (res.status === 426) return new SyncHttpError('upgrade_required', message, extra);
    if (res.status >= 500 || res.status === 408) {
      return new SyncHttpError('server', `The server at ${this.base} had a problem (HTTP ${res.status}); trying again shortly.`, extra);
    }
    return new SyncHttpError('bad_request', `The server refused the request: ${message}`, extra);
  }
}
