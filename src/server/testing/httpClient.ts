import { gunzipSync } from 'node:zlib';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * Push and pull bodies as the current app sends them: a JSON object without `protocol` gets the
 * current protocol and no database binding (tests of other protocols send `protocol` themselves,
 * or a raw body).
 */
function speakingCurrentProtocol(path: string, body: unknown): unknown {
  if (path !== '/v1/sync/push' && path !== '/v1/sync/pull') return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || 'protocol' in body) return body;
  return { protocol: PROTOCOL_VERSION, databaseId: null, ...body };
}

/** A tiny JSON client for tests: real HTTP over loopback, no retries, body parsed when JSON. */
export function apiClient(baseUrl: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    opts: { body?: unknown; raw?: string | Buffer; token?: string; headers?: Record<string, string> } = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Uint8Array | undefined;
    if (opts.raw !== undefined) body = typeof opts.raw === 'string' ? opts.raw : new Uint8Array(opts.raw);
    else if (opts.body !== undefined) body = JSON.stringify(speakingCurrentProtocol(path, opts.body));
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(baseUrl + path, { method, headers, body: body as BodyInit | undefined });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    call,
    get: <T = Record<string, unknown>>(path: string, token?: string) => call<T>('GET', path, { token }),
    post: <T = Record<string, unknown>>(path: string, body: unknown, token?: string) => call<T>('POST', path, { body, token }),
    del: <T = Record<string, unknown>>(path: string, token?: string) => call<T>('DELETE', path, { token }),
    put: <T = Record<string, unknown>>(path: string, body: unknown, token?: string) => call<T>('PUT', path, { body, token }),
    /** Raw bytes as they arrive, to check Content-Encoding (fetch would decompress silently). */
    async rawGzip(path: string, body: unknown, token: string): Promise<{ encoding: string | null; json: unknown }> {
      const { request } = await import('node:http');
      const u = new URL(baseUrl + path);
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip', authorization: `Bearer ${token}` },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const buf = Buffer.concat(chunks);
              const enc = res.headers['content-encoding'] ?? null;
              resolve({ encoding: enc, json: JSON.parse((enc === 'gzip' ? gunzipSync(buf) : buf).toString('utf8')) });
            });
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(speakingCurrentProtocol(path, body)));
      });
    },
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/**
 * POST from a given local address (127.0.0.2, 127.0.0.3, …: Linux routes all of 127/8 to
 * loopback), so a test can be several clients the server tells apart by address, as it would
 * several machines. fetch cannot choose its source address; node:http can.
 */
export function postFrom<T = Record<string, unknown>>(
  baseUrl: string,
  localAddress: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: T }> {
  return import('node:http').then(
    ({ request }) =>
      new Promise((resolve, reject) => {
        const u = new URL(baseUrl + path);
        const text = JSON.stringify(body);
        const req = request(
          {
            host: u.hostname,
            port: u.port,
            path: u.pathname,
            method: 'POST',
            localAddress,
            agent: false,
            headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers },
          },
          (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (data += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: (data ? JSON.parse(data) : null) as T }));
          },
        );
        req.on('error', reject);
        req.end(text);
      }),
  );
}

/** Whether this machine routes 127.0.0.2 to loopback (Linux does; macOS only with an alias). */
export async function canBindLoopbackAliases(): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '127.0.0.2', () => s.close(() => resolve(true)));
  });
}
