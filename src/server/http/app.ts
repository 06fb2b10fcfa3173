import compress from '@fastify/compress';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { RowId } from '../../shared/rows.js';
import { ClientId } from '../../shared/protocol.js';
import { IngestRequest, LoginRequest, MAX_BODY_BYTES, PROTOCOL_VERSION, PullRequest, PushRequest } from '../../shared/protocol.js';
import { ScopeInput } from '../../shared/scope.js';
import { login } from '../auth/login.js';
import { addressKey } from '../auth/loginThrottle.js';
import type { PasswordHasher } from '../auth/passwords.js';
import { listDevices, listOwnSessions, revokeDevice, revokeOwnSession, revokeUserSessions } from '../auth/devices.js';
import { revokeSession } from '../auth/sessionTokens.js';
import type { Database } from '../db/database.js';
import { eraseUser, listErasures } from '../erasure.js';
import { ingestActions } from '../ingest.js';
import { IngestEnrollmentsRequest, ingestEnrollments } from '../ingestEnrollments.js';
import { getScope, putScope } from '../scopes.js';
import { pullPageJson } from '../sync/pullPage.js';
import { push } from '../sync/push.js';
import { readDatabaseId } from '../sync/serverIdentity.js';
import { DomainError } from '../domainError.js';
import { ApiError, fromDomain, parseBody } from './apiError.js';
import { clientErrorHandler, edgeError, SAFE_HEADERS } from './edgeErrors.js';
import { bearer, createGuards, type Guards } from './guards.js';

export interface AppOptions {
  db: Database;
  hasher: PasswordHasher;
  logger: boolean;
  tokenTtlSeconds: number;
  /** Fastify's trustProxy: whose X-Forwarded-For gives the client address (login throttling). */
  trustProxy?: boolean | string | string[];
}

/** A `:userId` path parameter, or a 400 naming `userId`. */
function userIdParam(raw: string): string {
  const id = RowId.safeParse(raw);
  if (!id.success) throw new ApiError('bad_request', `userId: ${id.error.issues[0]?.message ?? 'invalid'}`, { field: 'userId' });
  return id.data;
}

/**
 * Push and pull say which protocol they speak (docs/protocol.md). An app older than the server
 * is told to update, in words its own error display shows as they are; nothing is applied.
 */
function requireProtocol(body: unknown): void {
  // Not a JSON object at all: not an app's request; the body's schema names what is wrong (400).
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const p = (body as { protocol?: unknown }).protocol;
  if (p === PROTOCOL_VERSION) return;
  // Every app, of any protocol, names its clientId: an object with neither is no app's request
  // (hostile or broken input), and the body's schema names what is wrong (400).
  if (p === undefined && !('clientId' in body)) return;
  if (typeof p === 'number' && Number.isInteger(p) && p > PROTOCOL_VERSION) {
    throw new ApiError(
      'bad_request',
      `This server speaks sync protocol ${PROTOCOL_VERSION}, older than this app's (${p}); the server must be updated before this app can sync.`,
      {
        field: 'protocol',
      },
    );
  }
  throw new ApiError(
    'upgrade_required',
    'This version of AfH Coordinator is older than the server: update the app to sync again. Your changes stay on this laptop until then.',
    {
      field: 'protocol',
    },
  );
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { db } = opts;
  // bodyLimit: a push of 1000 mutations with long notes fits in 5 MiB; larger is a client bug or abuse (413).
  const app = Fastify({
    logger: opts.logger,
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: false,
    trustProxy: opts.trustProxy ?? false,
    // Ids are at most 128 characters; longer path parameters are refused by name (edgeErrors.ts).
    routerOptions: { maxParamLength: 256 },
    clientErrorHandler,
    frameworkErrors: (err, req, reply) => {
      const e = edgeError(err, req.url) ?? new ApiError('bad_request', 'The request is malformed.', { field: 'request' });
      void (reply as FastifyReply).status(e.status).headers(SAFE_HEADERS).send(e.body());
    },
  });
  // Every answer, errors and 404s included (issue 14, item 8): pull pages, login answers and
  // erasure results carry personal data, so nothing is cached by a proxy or the client, and
  // nothing is sniffed into another type.
  app.addHook('onSend', async (_req, reply, payload) => {
    void reply.headers(SAFE_HEADERS);
    return payload;
  });
  // Pull pages of thousands of rows compress ~10x; threshold keeps tiny answers uncompressed.
  // zlib level 4, not the default 6 nor the fastest 1. A pull page is ~2 MB of JSON; measured on
  // one: level 6 costs ~15 ms of CPU for ~150 KB, level 4 ~8 ms for ~172 KB, level 1 ~6 ms for
  // ~193 KB. Coordinators sync over home and hotel links where bytes cost more than server
  // milliseconds, so not level 1; level 4 keeps most of the saving at about half level 6's CPU.
  // Pull pages are the only large answers, so one app-wide setting is in effect theirs.
  await app.register(compress, { global: true, threshold: 1024, encodings: ['gzip', 'deflate'], zlibOptions: { level: 4 } });

  acceptOnlyJson(app);
  answerErrorsAsTheContract(app, opts.logger);
  const guards = createGuards(db);
  authRoutes(app, opts, guards);
  syncRoutes(app, db, guards);
  ingestRoutes(app, db, guards);
  adminRoutes(app, db, guards);
  return app;
}

function acceptOnlyJson(app: FastifyInstance): void {
  // An empty body sent as application/json (a bodiless POST /v1/auth/logout from a generic
  // client, for instance) is "no body", not a JSON syntax error; every endpoint that needs a
  // body still rejects it by schema, naming `body`. Non-empty bodies keep Fastify's parser
  // (with its prototype-poisoning protection), after a strict UTF-8 decode: bytes that are not
  // UTF-8 are refused by name rather than read as replacement characters. Only JSON is a body
  // here: text/plain (which Fastify reads by default) is refused naming the content type.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new ApiError('bad_request', 'body: is not valid UTF-8.', { field: 'body' }), undefined);
      return;
    }
    defaultJson(req, text, done);
  });
}

function answerErrorsAsTheContract(app: FastifyInstance, logger: boolean): void {
  const sendError = (reply: FastifyReply, e: ApiError) => {
    if (e.extra.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(e.extra.retryAfterSeconds));
    return reply.status(e.status).send(e.body());
  };

  // Every error leaves as docs/protocol.md's JSON; anything unexpected is logged here and becomes a
  // bare 500, so stack traces and SQL never reach a client.
  app.setErrorHandler((err: FastifyError | ApiError | DomainError, req, reply) => {
    if (err instanceof ApiError) return sendError(reply, err);
    if (err instanceof DomainError) return sendError(reply, fromDomain(err));
    const mapped =
      edgeError(err, req.url) ?? (err instanceof SyntaxError ? new ApiError('bad_request', 'body: is not valid JSON.', { field: 'body' }) : null);
    if (mapped) return sendError(reply, mapped);
    req.log.error({ err }, 'request failed');
    if (!logger) console.error('[server] request failed:', err);
    return sendError(reply, new ApiError('internal', 'Something went wrong on the server. Try again later.'));
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, new ApiError('not_found', `There is no ${req.method} ${req.url.split('?')[0]}.`)));
}

/** Health, sign-in and sign-out, and a person's own sessions. */
function authRoutes(app: FastifyInstance, opts: AppOptions, { requireSession, requireUser }: Guards): void {
  const { db } = opts;
  app.get('/v1/health', async () => ({ ok: true as const, db: db.kind, protocol: PROTOCOL_VERSION, databaseId: await db.read(readDatabaseId) }));

  // The database id lets the app tell "signed in to another server" from "signed in again" (docs/protocol.md).
  app.post('/v1/auth/login', async (req) => ({
    ...(await login(db, parseBody(LoginRequest, req.body), {
      hasher: opts.hasher,
      tokenTtlSeconds: opts.tokenTtlSeconds,
      address: addressKey(req.ip),
    })),
    databaseId: await db.read(readDatabaseId),
  }));

  app.post('/v1/auth/logout', async (req, reply) => {
    await requireUser(req);
    await revokeSession(db, bearer(req)!);
    return reply.status(204).send();
  });

  // Sessions and devices (docs/protocol.md, "Sessions and devices").
  app.get('/v1/auth/sessions', async (req) => {
    const { user, sessionId } = await requireSession(req);
    return { sessions: await listOwnSessions(db, user.id, sessionId) };
  });
  app.post<{ Params: { id: string } }>('/v1/auth/sessions/:id/revoke', async (req, reply) => {
    const { user } = await requireSession(req);
    const id = ClientId.safeParse(req.params.id);
    if (!id.success) throw new ApiError('bad_request', 'id: must be a session id (a UUID)', { field: 'id' });
    if (!(await revokeOwnSession(db, user.id, id.data))) throw new ApiError('not_found', `You have no session ${id.data}.`);
    return reply.status(204).send();
  });
}

function syncRoutes(app: FastifyInstance, db: Database, { requireCoordinator }: Guards): void {
  app.post('/v1/sync/push', async (req) => {
    const user = await requireCoordinator(req);
    requireProtocol(req.body);
    return push(db, user.id, parseBody(PushRequest, req.body));
  });

  app.post('/v1/sync/pull', async (req, reply) => {
    const user = await requireCoordinator(req);
    requireProtocol(req.body);
    // Pre-serialised by the database (pullPage.ts): sent as is, still compressed by @fastify/compress.
    const body = await pullPageJson(db, user.id, parseBody(PullRequest, req.body));
    return reply.type('application/json; charset=utf-8').send(body);
  });
}

/** Upstream systems only, each with its own key (docs/protocol.md, "Ingest keys"). */
function ingestRoutes(app: FastifyInstance, db: Database, { requireIngestKey }: Guards): void {
  app.post('/v1/ingest/actions', async (req) => {
    const key = await requireIngestKey(req);
    return ingestActions(db, parseBody(IngestRequest, req.body), key);
  });
  // Enrollments carry no source_system: any live ingest key may report them (docs/protocol.md).
  app.post('/v1/ingest/enrollments', async (req) => {
    await requireIngestKey(req);
    return ingestEnrollments(db, parseBody(IngestEnrollmentsRequest, req.body));
  });
}

/** Superadmins' routes: scopes, erasure, devices and other users' sessions. */
function adminRoutes(app: FastifyInstance, db: Database, { requireUser, requireSuperadmin }: Guards): void {
  // Coordinators' scopes (issue 13): which communities each laptop holds. Superadmins only.
  app.get<{ Params: { userId: string } }>('/v1/admin/scopes/:userId', async (req) => {
    await requireSuperadmin(req);
    return getScope(db, userIdParam(req.params.userId));
  });
  app.put<{ Params: { userId: string } }>('/v1/admin/scopes/:userId', async (req) => {
    await requireSuperadmin(req);
    const userId = userIdParam(req.params.userId);
    return putScope(db, userId, parseBody(ScopeInput, req.body));
  });

  app.delete<{ Params: { id: string } }>('/v1/users/:id', async (req, reply) => {
    const user = await requireUser(req);
    if (!user.roles.includes('superadmin')) throw new ApiError('forbidden', 'Only a superadmin may erase a member.');
    const id = RowId.safeParse(req.params.id);
    if (!id.success) throw new ApiError('bad_request', `id: ${id.error.issues[0]?.message ?? 'invalid'}`, { field: 'id' });
    await eraseUser(db, id.data, user.id);
    return reply.status(204).send();
  });

  app.get('/v1/admin/devices', async (req) => {
    await requireSuperadmin(req);
    return { devices: await listDevices(db) };
  });
  app.post<{ Params: { clientId: string } }>('/v1/admin/devices/:clientId/revoke', async (req, reply) => {
    await requireSuperadmin(req);
    const id = ClientId.safeParse(req.params.clientId);
    if (!id.success) throw new ApiError('bad_request', 'clientId: must be a UUID', { field: 'clientId' });
    if (!(await revokeDevice(db, id.data))) throw new ApiError('not_found', `There is no device ${id.data}.`);
    return reply.status(204).send();
  });
  app.post<{ Params: { userId: string } }>('/v1/admin/users/:userId/revoke-sessions', async (req) => {
    await requireSuperadmin(req);
    return { revoked: await revokeUserSessions(db, userIdParam(req.params.userId)) };
  });

  app.get('/v1/admin/erasures', async (req) => {
    await requireSuperadmin(req);
    return { erasures: await listErasures(db) };
  });
}
