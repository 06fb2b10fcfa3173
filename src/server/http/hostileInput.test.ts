import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, MAX_BODY_BYTES, PROTOCOL_VERSION } from '../../shared/protocol.js';
import { BACKENDS, postgresReachable, SKIP_PG_MESSAGE, startTestServer, type TestServer } from '../testing/testBackends.js';

// Every hostile input on every route is a 4xx in the documented error shape that names the
// field (issue 11, "Server hygiene"); a body over the limit is a 413 whichever way it arrives;
// every answer carries nosniff and no-store (issue 14, item 8). Real HTTP on loopback, raw
// bytes (node:http, node:net) so nothing is tidied up on the way.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

const PASSWORD = 'correct horse battery staple';
const T0 = '2026-04-01T10:00:00Z';
/** What every push and pull of the current app carries (docs/protocol.md, protocol 2). */
const P = { protocol: PROTOCOL_VERSION, databaseId: null };

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

type Auth = 'none' | 'coordinator' | 'ingest' | 'superadmin' | 'junk';
interface Route {
  method: string;
  path: string;
  auth: Auth;
  /** A body the route accepts, which the generators then spoil. */
  valid?: () => unknown;
}

describe.each(BACKENDS)('hostile input on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let server: TestServer;
  let base: URL;
  const tokens: Record<Auth, string | null> = { none: null, coordinator: null, ingest: null, superadmin: null, junk: 'not-a-token' };

  const ROUTES: Route[] = [
    { method: 'GET', path: '/v1/health', auth: 'none' },
    { method: 'POST', path: '/v1/auth/login', auth: 'none', valid: () => ({ email: 'someone@test.local', password: 'wrong' }) },
    { method: 'POST', path: '/v1/auth/logout', auth: 'junk' },
    { method: 'POST', path: '/v1/sync/push', auth: 'coordinator', valid: () => ({ ...P, clientId: randomUUID(), mutations: [] }) },
    { method: 'POST', path: '/v1/sync/pull', auth: 'coordinator', valid: () => ({ ...P, clientId: randomUUID(), cursor: null, limit: 1 }) },
    {
      method: 'POST',
      path: '/v1/ingest/actions',
      auth: 'ingest',
      valid: () => ({
        actions: [{ user_id: 'usr_student', action_type: 'viewed_module', source_system: 'segment', source_event_id: randomUUID(), occurred_at: T0 }],
      }),
    },
    { method: 'DELETE', path: '/v1/users/usr_nobody', auth: 'superadmin' },
  ];
  const bodyRoutes = ROUTES.filter((r) => r.valid);

  function send(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean; auth?: Auth } = {},
  ): Promise<Raw> {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.auth ? tokens[opts.auth] : null;
    if (token) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const req = request({ host: base.hostname, port: base.port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      });
      // The server may answer (413) and close before the whole body is written.
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
      if (opts.body !== undefined) {
        const buf = Buffer.from(opts.body);
        if (opts.chunked) for (let i = 0; i < buf.length; i += 256 * 1024) req.write(buf.subarray(i, i + 256 * 1024));
        else req.write(buf);
      }
      req.end();
    });
  }

  const json = (body: unknown): string => JSON.stringify(body);
  const JSON_TYPE = { 'content-type': 'application/json' };

  /** Every answer: nosniff and no-store; an error is a 4xx in the documented shape, a 400 or 413 names its field. */
  function expectTidy(r: Raw, what: string): void {
    expect(r.headers['x-content-type-options'], `${what}: nosniff`).toBe('nosniff');
    expect(r.headers['cache-control'], `${what}: no-store`).toBe('no-store');
    expect(r.status, `${what}: never a 5xx (${r.text.slice(0, 300)})`).toBeLessThan(500);
    if (r.status < 400) return;
    const parsed = ErrorBody.safeParse(JSON.parse(r.text));
    expect(parsed.success, `${what}: error shape, got ${r.text.slice(0, 300)}`).toBe(true);
    if (r.status === 400 || r.status === 413) expect(parsed.data!.error.field, `${what}: names the field (${r.text})`).toEqual(expect.any(String));
    expect(r.text, what).not.toMatch(/at .*\.(ts|js):\d+|node_modules|SELECT|INSERT|FST_/);
  }

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(kind);
    base = new URL(server.url);
    const mk = (id: string, roles: ('admin' | 'superadmin' | 'student')[]) =>
      server.admin.createUser({ id, email: `${id}@test.local`, name: id, roles, password: PASSWORD });
    await mk('usr_coord', ['admin']);
    await server.admin.setScope('usr_coord', { all: true, cohortIds: [] });
    await mk('usr_super', ['superadmin']);
    await mk('usr_student', ['student']);
    const login = async (email: string) => {
      const r = await send('POST', '/v1/auth/login', { headers: JSON_TYPE, body: json({ email, password: PASSWORD }) });
      expect(r.status).toBe(200);
      return (JSON.parse(r.text) as { token: string }).token;
    };
    tokens.coordinator = await login('usr_coord@test.local');
    tokens.superadmin = await login('usr_super@test.local');
    tokens.ingest = (await server.admin.createIngestKey('segment')).secret;
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  describe.skipIf(skip)('a table of hostile bodies on every route with a body', () => {
    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const cases: Array<{ name: string; body: string | Buffer; headers?: Record<string, string>; status: number; field?: string }> = [
      { name: 'malformed JSON', body: '{"clientId": ', status: 400, field: 'body' },
      { name: 'a JSON syntax error deep inside', body: '{"a":[1,2,{"b":}]}', status: 400, field: 'body' },
      { name: 'text/plain', body: '{}', headers: { 'content-type': 'text/plain' }, status: 400, field: 'content-type' },
      {
        name: 'a form',
        body: 'email=a&password=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 400,
        field: 'content-type',
      },
      { name: 'no content type', body: '{}', headers: {}, status: 400, field: 'content-type' },
      { name: 'a made-up content type', body: '{}', headers: { 'content-type': 'application/evil' }, status: 400, field: 'content-type' },
      { name: 'nested arrays 100,000 deep', body: deepArray, status: 400, field: 'body' },
      { name: 'nested objects 50,000 deep', body: deepObject, status: 400 },
      { name: 'a JSON null', body: 'null', status: 400, field: 'body' },
      { name: 'a JSON string', body: '"hello"', status: 400, field: 'body' },
      { name: 'a JSON number', body: '1e400', status: 400, field: 'body' },
      { name: '__proto__ smuggling', body: '{"__proto__":{"admin":true}}', status: 400, field: 'body' },
      { name: 'constructor.prototype smuggling', body: '{"constructor":{"prototype":{"admin":true}}}', status: 400, field: 'body' },
      { name: 'bytes that are not UTF-8', body: Buffer.from([0x7b, 0x22, 0x61, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), status: 400 },
      {
        name: 'an unsupported Content-Encoding',
        body: '{}',
        headers: { ...JSON_TYPE, 'content-encoding': 'zstd' },
        status: 400,
        field: 'content-encoding',
      },
      {
        name: 'gzip that is not gzip',
        body: 'not gzip at all',
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
        status: 400,
        field: 'content-encoding',
      },
    ];
    for (const c of cases) {
      it(`${c.name}: ${c.status}${c.field ? ` naming ${c.field}` : ''} on every route`, async () => {
        for (const route of bodyRoutes) {
          const r = await send(route.method, route.path, { headers: c.headers ?? JSON_TYPE, body: c.body, auth: route.auth });
          const what = `${c.name} → ${route.method} ${route.path}`;
          expectTidy(r, what);
          expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBe(c.status);
          if (c.field) expect(JSON.parse(r.text).error.field, what).toBe(c.field);
        }
      });
    }

    it('huge and odd numbers in numeric fields are a 400 naming the field', async () => {
      const pull = (limit: string) =>
        `{"protocol":${PROTOCOL_VERSION},"databaseId":null,"clientId":"${randomUUID()}","cursor":null,"limit":${limit}}`;
      for (const n of ['1e400', '-1e400', '123456789012345678901234567890', '1.5', '-0', '0x10']) {
        const r = await send('POST', '/v1/sync/pull', { headers: JSON_TYPE, body: pull(n), auth: 'coordinator' });
        expectTidy(r, `limit ${n}`);
        expect(r.status, n).toBe(400);
        expect(JSON.parse(r.text).error.field, n).toBe(n === '0x10' ? 'body' : 'limit');
      }
      const push = `{"protocol":${PROTOCOL_VERSION},"databaseId":null,"clientId":"${randomUUID()}","mutations":[{"id":1e300,"name":"champion.remove","args":{"id":"x"}}]}`;
      const r = await send('POST', '/v1/sync/push', { headers: JSON_TYPE, body: push, auth: 'coordinator' });
      expectTidy(r, 'mutation id 1e300');
      expect(JSON.parse(r.text).error.field).toBe('mutations[0].id');
    });

    it('a text with a NUL or a lone surrogate where the server looks it up (login email) is a 400 naming the field', async () => {
      for (const email of ['a\u0000b@test.local', '\ud800@test.local']) {
        const r = await send('POST', '/v1/auth/login', { headers: JSON_TYPE, body: json({ email, password: 'x' }) });
        expectTidy(r, JSON.stringify(email));
        expect(r.status, JSON.stringify(email)).toBe(400);
        expect(JSON.parse(r.text).error.field).toBe('email');
      }
    });
  });

  describe.skipIf(skip)('blank and odd emails', () => {
    it('a blank or whitespace email is a plain 401 like any wrong one, counted without touching another account', async () => {
      for (const email of ['   ', ' \t ', '\u00a0']) {
        const r = await send('POST', '/v1/auth/login', { headers: JSON_TYPE, body: json({ email, password: 'x' }) });
        expectTidy(r, JSON.stringify(email));
        expect([401, 429]).toContain(r.status);
      }
    });
  });

  describe.skipIf(skip)('a body over the limit is a 413 naming the body, however it arrives', () => {
    const over = (): string => json({ ...P, clientId: randomUUID(), mutations: [], pad: 'a'.repeat(MAX_BODY_BYTES + 1024) });
    for (const route of [
      { method: 'POST', path: '/v1/auth/login', auth: 'none' as Auth },
      { method: 'POST', path: '/v1/sync/push', auth: 'coordinator' as Auth },
      { method: 'POST', path: '/v1/ingest/actions', auth: 'ingest' as Auth },
    ]) {
      it(`${route.path}: with Content-Length, chunked without it, and gzip-encoded (a small zip of a large body)`, async () => {
        const body = over();
        const zipped = gzipSync(body);
        expect(zipped.length).toBeLessThan(MAX_BODY_BYTES / 10);
        const variants: Array<[string, Parameters<typeof send>[2]]> = [
          ['content-length', { headers: { ...JSON_TYPE, 'content-length': String(Buffer.byteLength(body)) }, body }],
          ['a Content-Length that claims too much', { headers: { ...JSON_TYPE, 'content-length': String(MAX_BODY_BYTES * 4) }, body: '{}' }],
          ['chunked', { headers: { ...JSON_TYPE, 'transfer-encoding': 'chunked' }, body, chunked: true }],
          ['gzip', { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: zipped }],
        ];
        for (const [name, opts] of variants) {
          const r = await send(route.method, route.path, { ...opts, auth: route.auth });
          expectTidy(r, `${name} → ${route.path}`);
          expect(r.status, `${name}: ${r.text.slice(0, 200)}`).toBe(413);
          expect(JSON.parse(r.text).error).toMatchObject({ code: 'too_large', field: 'body' });
        }
      });
    }

    it('a small gzip-encoded body is accepted like a plain one', async () => {
      const r = await send('POST', '/v1/sync/pull', {
        headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
        body: gzipSync(json({ ...P, clientId: randomUUID(), cursor: null, limit: 1 })),
        auth: 'coordinator',
      });
      expectTidy(r, 'gzip pull');
      expect(r.status).toBe(200);
    });
  });

  describe.skipIf(skip)('routes, methods and path parameters', () => {
    it('unknown routes and methods are a 404 in the error shape', async () => {
      const cases: Array<[string, string]> = [
        ['GET', '/v1/nope'],
        ['POST', '/'],
        ['GET', '/v1/sync/push'],
        ['PUT', '/v1/auth/login'],
        ['PATCH', '/v1/users/usr_student'],
        ['OPTIONS', '/v1/sync/pull'],
        ['DELETE', '/v1/users'],
        ['GET', '/v1/health/../sync/push'],
        ['GET', `/v1/${'x'.repeat(5000)}`],
      ];
      for (const [method, path] of cases) {
        const r = await send(method, path, { auth: 'coordinator' });
        expectTidy(r, `${method} ${path.slice(0, 40)}`);
        expect(r.status, `${method} ${path.slice(0, 40)}`).toBe(404);
      }
    });

    it('a bad path parameter is a 400 naming id (bad escapes, too long, control characters, not an id)', async () => {
      for (const id of ['', '%ZZ', '%', '%C0%80', 'a'.repeat(5000), '%00', 'has%20space', `usr_${'%E2%80%AE'}x`]) {
        const r = await send('DELETE', `/v1/users/${id}`, { auth: 'superadmin' });
        const what = `DELETE /v1/users/${id.slice(0, 30)}`;
        expectTidy(r, what);
        expect(r.status, `${what}: ${r.text}`).toBe(400);
        expect(JSON.parse(r.text).error.field, what).toBe('id');
      }
    });

    it('headers too large for the server are refused in the error shape, with the same safe headers', async () => {
      const r = await new Promise<Raw>((resolve, reject) => {
        const s = connect({ host: base.hostname, port: Number(base.port) });
        let got = '';
        s.on('data', (d: Buffer) => (got += d.toString('utf8')));
        s.on('error', reject);
        s.on('close', () => {
          const [head = '', text = ''] = got.split('\r\n\r\n');
          const lines = head.split('\r\n');
          const headers: Record<string, string> = {};
          for (const l of lines.slice(1)) {
            const i = l.indexOf(':');
            headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
          }
          resolve({ status: Number(lines[0]!.split(' ')[1]), headers, text });
        });
        s.write(`GET /v1/health HTTP/1.1\r\nHost: ${base.host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
      });
      expect(r.status).toBe(431);
      expectTidy(r, 'header overflow');
      expect(JSON.parse(r.text).error).toMatchObject({ code: 'too_large', field: 'headers' });
    });
  });

  describe.skipIf(skip)('every successful answer carries nosniff and no-store (issue 14, item 8)', () => {
    it('health, login, push, pull, ingest, erase and logout', async () => {
      const victim = `usr_erase_${kind}`;
      await server.admin.createUser({ id: victim, email: `${victim}@test.local`, name: 'To erase', roles: ['student'], password: PASSWORD });
      const login = await send('POST', '/v1/auth/login', { headers: JSON_TYPE, body: json({ email: 'usr_coord@test.local', password: PASSWORD }) });
      const fresh = (JSON.parse(login.text) as { token: string }).token;
      const answers: Array<[string, Raw]> = [
        ['health', await send('GET', '/v1/health')],
        ['login', login],
        ['push', await send('POST', '/v1/sync/push', { headers: JSON_TYPE, body: json(ROUTES[3]!.valid!()), auth: 'coordinator' })],
        [
          'pull',
          await send('POST', '/v1/sync/pull', {
            headers: JSON_TYPE,
            body: json({ ...P, clientId: randomUUID(), cursor: null }),
            auth: 'coordinator',
          }),
        ],
        ['ingest', await send('POST', '/v1/ingest/actions', { headers: JSON_TYPE, body: json(ROUTES[5]!.valid!()), auth: 'ingest' })],
        ['erase', await send('DELETE', `/v1/users/${victim}`, { auth: 'superadmin' })],
        ['logout', await send('POST', '/v1/auth/logout', { headers: { authorization: `Bearer ${fresh}` } })],
      ];
      for (const [what, r] of answers) {
        expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBeLessThan(300);
        expectTidy(r, what);
      }
    });
  });

  describe.skipIf(skip)('generated hostile requests on every route (fast-check)', () => {
    // Values that break a careless handler: huge and odd numbers, long and strange texts,
    // deep structures, wrong types. (Texts with NUL or lone surrogates in push and ingest rows
    // are the storable-value work of issue 11 part B; here they go only where this layer looks
    // things up: the login email and the erase path.)
    const hostileLeaf = fc.oneof(
      fc.constantFrom(0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, 1.5, true, false, null, '', ' ', '0', 'null', '[]', '{}'),
      fc.string({ maxLength: 40 }),
      fc.constant('x'.repeat(100_000)),
      fc.jsonValue({ maxDepth: 3 }),
      fc.integer({ min: 2, max: 3000 }).map((d) => JSON.parse('['.repeat(d) + ']'.repeat(d)) as unknown),
    );
    /** A valid body with one value (anywhere in it) replaced, removed, or added as an unknown key. */
    const spoil = (valid: unknown) =>
      fc.tuple(fc.nat(), fc.constantFrom('replace', 'remove', 'add'), hostileLeaf, fc.string({ maxLength: 10 })).map(([n, how, leaf, key]) => {
        const copy = JSON.parse(JSON.stringify(valid)) as unknown;
        const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
        const walk = (v: unknown) => {
          if (Array.isArray(v)) v.forEach((x, i) => (slots.push({ parent: v, key: i }), walk(x)));
          else if (v && typeof v === 'object')
            for (const [k, x] of Object.entries(v)) {
              slots.push({ parent: v as Record<string, unknown>, key: k });
              walk(x);
            }
        };
        walk(copy);
        if (slots.length === 0 || how === 'add') {
          if (copy && typeof copy === 'object' && !Array.isArray(copy)) (copy as Record<string, unknown>)[key || 'extra'] = leaf;
          return copy;
        }
        const slot = slots[n % slots.length]!;
        if (how === 'remove' && !Array.isArray(slot.parent)) delete (slot.parent as Record<string, unknown>)[slot.key as string];
        else (slot.parent as Record<string | number, unknown>)[slot.key] = leaf;
        return copy;
      });

    it('never a 5xx, always the documented error shape with the field named, on every route', async () => {
      const routeArb = fc.constantFrom(...bodyRoutes);
      const requestArb = routeArb.chain((route) =>
        fc.record({
          route: fc.constant(route),
          body: fc.oneof(
            spoil(route.valid!()).map((b) => JSON.stringify(b)),
            fc.json({ maxDepth: 4 }),
            fc.string({ maxLength: 200 }),
            fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v).slice(0, -1)),
          ),
          contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', ''),
        }),
      );
      await fc.assert(
        fc.asyncProperty(requestArb, async ({ route, body, contentType }) => {
          const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
          const r = await send(route.method, route.path, { headers, body, auth: route.auth });
          expectTidy(r, `${route.path} ${contentType} ${body.slice(0, 120)}`);
        }),
        { numRuns: 300 },
      );
    });

    it('generated path parameters for erase are a 400 naming id, a 404, or (for a real member) a 204; never a 5xx', async () => {
      const segment = fc.oneof(
        fc.string({ maxLength: 300 }).map((s) => encodeURIComponent(s)),
        fc.string({ unit: 'binary', maxLength: 50 }).map((s) => encodeURIComponent(s)),
        fc.stringMatching(/^(%[0-9A-Fa-f]{0,2}|[a-z_]){1,20}$/),
      );
      await fc.assert(
        fc.asyncProperty(segment, async (id) => {
          const r = await send('DELETE', `/v1/users/${id}`, { auth: 'superadmin' });
          expectTidy(r, `DELETE /v1/users/${id.slice(0, 60)}`);
          expect([204, 400, 404], `${id.slice(0, 60)}: ${r.status}`).toContain(r.status);
        }),
        { numRuns: 200 },
      );
    });
  });
});
