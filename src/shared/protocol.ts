import { z } from 'zod';
import { Role } from './enums.js';
import {
  ChampionRow,
  ChampionStageChangeRow,
  CohortRow,
  EnrollmentRow,
  IsoTimestamp,
  JsonObject,
  StorableTimestamp,
  RowId,
  UserActionRow,
  UserRow,
} from './rows.js';
import { MutationEnvelope, RejectionCode } from './mutations.js';
import { Scope } from './scope.js';
import { ActionType, SourceSystem, TargetType } from './enums.js';
import { storableText } from './storable.js';
import { EMAIL_MAX, IDEMPOTENCY_KEY_MAX, PASSWORD_MAX, SOURCE_EVENT_ID_MAX, TARGET_ID_MAX } from './limits.js';

// The sync protocol (docs/protocol.md), one schema per message. Field names are exact.

/**
 * Protocol 2: remembered outcomes, server identity, cursors that name their database, row
 * versions for moves. Push and pull requests say which protocol they speak; a server answers
 * an older app with 426 upgrade_required instead of guessing what it meant.
 */
export const PROTOCOL_VERSION = 2 as const;
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
export const MAX_PUSH_MUTATIONS = 1000;
/**
 * What a client puts in one push, in bytes of its mutations' JSON: well under MAX_BODY_BYTES,
 * so a batch of ordinary edits (150 note saves of 19,000 characters) goes in several pushes
 * instead of one the server must refuse with 413. No single valid mutation comes near it.
 */
export const MAX_PUSH_BYTES = 4 * 1024 * 1024;
const MAX_INGEST_ACTIONS = 1000;
export const PULL_LIMIT_DEFAULT = 5000;
const PULL_LIMIT_MAX = 10_000;

export const ClientId = z.uuid({ message: 'must be a UUID' });

const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  /** 401: the session expired, went idle or was revoked; sign in again (local data kept). */
  'session_revoked',
  /** 401: a superadmin revoked this install (clientId); the laptop wipes its local data. */
  'device_revoked',
  'forbidden',
  /** 403: the user no longer has the coordinator role; the laptop wipes its local data. */
  'not_a_coordinator',
  'not_found',
  'mutation_gap',
  'resync_required',
  'client_diverged',
  'database_changed',
  'upgrade_required',
  'too_large',
  'rate_limited',
  'internal',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), field: z.string().optional() }),
  expected: z.number().int().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A server database's durable identity (sync_meta.database_id): made once, kept through restarts and restores. */
const DatabaseId = z.uuid({ message: 'must be a UUID' });

export const LoginRequest = z.strictObject({
  // The server looks the email up in its database, which cannot hold a NUL or a lone surrogate.
  email: z
    .string()
    .min(1, 'is required')
    .max(EMAIL_MAX)
    .refine(
      // eslint-disable-next-line no-control-regex -- finding NUL is the point
      (s) => !/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s),
      'must be plain text (no NUL, no broken characters)',
    ),
  password: z.string().min(1, 'is required').max(PASSWORD_MAX),
  /** The install signing in: listed among the user's devices, and revocable. */
  clientId: ClientId.optional(),
  /** A name for the device in the user's list (e.g. the computer's name). */
  deviceName: z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters').optional(),
});
/**
 * `scope` (issue 13): which communities this coordinator's laptop holds. Optional so that a
 * session saved by an earlier release still reads; the app then shows it after the next sign-in.
 */
export const SessionUser = z.object({ id: RowId, email: z.string(), name: z.string(), roles: z.array(Role), scope: Scope.optional() });
export const LoginResponse = z.object({ token: z.string().min(1), expiresAt: IsoTimestamp, user: SessionUser });
/** The login answer on the wire: the session, plus which database this server holds (docs/protocol.md). */
export const LoginAnswer = LoginResponse.extend({ databaseId: DatabaseId });
export type LoginAnswer = z.infer<typeof LoginAnswer>;
export type LoginRequest = z.infer<typeof LoginRequest>;
export type LoginResponse = z.infer<typeof LoginResponse>;
export type SessionUser = z.infer<typeof SessionUser>;

/** The protocol a request speaks; checked before anything else in the body (an older app gets upgrade_required). */
const ProtocolField = z.literal(PROTOCOL_VERSION);

export const PushRequest = z.strictObject({
  protocol: ProtocolField,
  clientId: ClientId,
  /** The server database this client's state belongs to; null before it has heard of one. Another database: 409 database_changed. */
  databaseId: DatabaseId.nullable(),
  /** The client has durably recorded the outcome of every one of its mutations up to this id; the server may forget them. */
  ack: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
  mutations: z.array(MutationEnvelope).max(MAX_PUSH_MUTATIONS, `at most ${MAX_PUSH_MUTATIONS} mutations a request`),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const MutationResult = z.object({
  id: z.number().int(),
  status: z.enum(['applied', 'rejected']),
  code: RejectionCode.optional(),
  message: z.string().optional(),
  field: z.string().optional(),
  current: z.record(z.string(), z.unknown()).nullable().optional(),
  deduplicatedTo: z.string().optional(),
  /** Only for a `noop`: the discard took effect, or came after the change itself had applied. */
  discard: z.enum(['discarded', 'too_late']).optional(),
});
export type MutationResult = z.infer<typeof MutationResult>;

export const PushResponse = z.object({
  lastMutationId: z.number().int().nonnegative(),
  results: z.array(MutationResult),
  databaseId: DatabaseId,
  /** The server's clock when it answered: a laptop whose clock runs ahead corrects the times it stamps. */
  serverTime: IsoTimestamp,
});
export type PushResponse = z.infer<typeof PushResponse>;

export const PullRequest = z.strictObject({
  protocol: ProtocolField,
  clientId: ClientId,
  databaseId: DatabaseId.nullable(),
  cursor: z.string().max(1000).nullable(),
  limit: z.number().int().min(1).max(PULL_LIMIT_MAX).default(PULL_LIMIT_DEFAULT),
});
export type PullRequest = z.input<typeof PullRequest>;

// Upserts are told apart by `table`, then by `op` from deletes: a flat union on `op` would hold
// six options with the same discriminator value, which zod refuses when parsing.
export const Change = z.discriminatedUnion('op', [
  z.discriminatedUnion('table', [
    z.object({ table: z.literal('user'), op: z.literal('upsert'), row: UserRow }),
    z.object({ table: z.literal('cohort'), op: z.literal('upsert'), row: CohortRow }),
    z.object({ table: z.literal('enrollment'), op: z.literal('upsert'), row: EnrollmentRow }),
    z.object({ table: z.literal('user_action'), op: z.literal('upsert'), row: UserActionRow }),
    z.object({ table: z.literal('champion'), op: z.literal('upsert'), row: ChampionRow }),
    z.object({ table: z.literal('champion_stage_change'), op: z.literal('upsert'), row: ChampionStageChangeRow }),
  ]),
  z.object({
    table: z.enum(['user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change']),
    op: z.literal('delete'),
    id: RowId,
  }),
  // Scoped sync (issue 13): a member entered this coordinator's scope (their whole record follows
  // in the same page), or left it (the laptop forgets every row of theirs).
  z.strictObject({ op: z.literal('enter'), userId: RowId }),
  z.strictObject({ op: z.literal('leave'), userId: RowId }),
]);
export type Change = z.infer<typeof Change>;

export const PullResponse = z.object({
  databaseId: DatabaseId,
  cursor: z.string(),
  hasMore: z.boolean(),
  lastMutationId: z.number().int().nonnegative(),
  remaining: z.number().int().nonnegative(),
  /** The pulling coordinator's communities now (issue 13): the app's "Your communities" follows it between sign-ins. */
  scope: Scope.optional(),
  changes: z.array(Change),
});
export type PullResponse = z.infer<typeof PullResponse>;

/**
 * A pull answer whose envelope is checked but whose changes are not yet: the applier checks
 * each change as it writes it, so a page is walked once rather than twice.
 */
export const PullEnvelope = PullResponse.extend({ changes: z.array(z.unknown()) });
export type PullEnvelope = z.infer<typeof PullEnvelope>;

/** An upstream action as ingested: a `user_action` row without `id`. */
export const IngestAction = z.strictObject({
  user_id: RowId,
  enrollment_id: RowId.nullable().default(null),
  action_type: ActionType,
  target_type: TargetType.nullable().default(null),
  target_id: storableText({ max: TARGET_ID_MAX }).nullable().default(null),
  metadata: JsonObject.default({}),
  /**
   * Null: an action with no upstream source (the platform schema leaves the source columns
   * unconstrained for those). Only a `platform` key may send one; it is never deduplicated by
   * source, since there is no source to say two events are one.
   */
  source_system: SourceSystem.nullable(),
  source_event_id: storableText({ min: 1, max: SOURCE_EVENT_ID_MAX }).nullable().default(null),
  idempotency_key: storableText({ min: 1, max: IDEMPOTENCY_KEY_MAX }).nullable().default(null),
  occurred_at: StorableTimestamp,
});
export const IngestRequest = z.strictObject({
  actions: z.array(IngestAction).min(1).max(MAX_INGEST_ACTIONS, `at most ${MAX_INGEST_ACTIONS} actions a request`),
});
export const IngestResponse = z.object({
  results: z.array(z.object({ index: z.number().int(), status: z.enum(['inserted', 'duplicate']), id: z.string() })),
});
export type IngestAction = z.infer<typeof IngestAction>;
export type IngestRequest = z.input<typeof IngestRequest>;
export type IngestResponse = z.infer<typeof IngestResponse>;

/** The first issue of a zod error as docs/protocol.md's `field` (`mutations[3].args.to`) and a plain message. */
export function describeZodError(err: z.ZodError, prefix?: string): { field: string; message: string } {
  const issue = err.issues[0];
  if (!issue) return { field: prefix ?? '', message: 'invalid input' };
  let field = prefix ?? '';
  for (const p of issue.path) {
    if (typeof p === 'number') field += `[${p}]`;
    else field += field ? `.${String(p)}` : String(p);
  }
  const where = field || 'body';
  return { field: where, message: `${where}: ${issue.message}` };
}

/** One of the signed-in user's live sessions (`GET /v1/auth/sessions`), with the device it came from. */
const SessionInfo = z.object({
  id: z.string(),
  clientId: z.string().nullable(),
  deviceName: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  current: z.boolean(),
});
type SessionInfo = z.infer<typeof SessionInfo>;
export const SessionList = z.object({ sessions: z.array(SessionInfo) });
export type SessionList = z.infer<typeof SessionList>;
