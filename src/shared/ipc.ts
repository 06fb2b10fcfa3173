import { z } from 'zod';
import { ActionType, Role, SourceSystem, Stage, STAGES, TargetType } from './enums.js';
import {
  ChampionRow,
  ChampionStageChangeRow,
  CohortRow,
  EnrollmentRow,
  IsoTimestamp,
  JsonObject,
  RowId,
  SyncTable,
  UserActionRow,
  UserRow,
} from './rows.js';
import { REJECTION_CODES, MutationNameSchema } from './mutations.js';
import { EMAIL_MAX, NOTES_MAX, ORIGIN_MAX, PASSWORD_MAX, REASON_MAX, SEARCH_QUERY_MAX, TARGET_ID_MAX } from './limits.js';
import { SessionUser } from './protocol.js';

// The contract between the renderer and the main-process core. Both hosts (Electron
// ipcMain, browser-host WebSocket) carry exactly these calls and events; every input
// is parsed with its schema before a handler sees it, every output before it leaves.

const SearchQuery = z.string().max(SEARCH_QUERY_MAX);

/**
 * A timestamp the coordinator typed, in the one form every stored timestamp has (the server
 * sends milliseconds): timestamps compare as text in SQLite, and `10:00:00Z` sorts after
 * `10:00:00.500Z`, so a second form would misplace rows in timelines and date filters.
 */
const InputTimestamp = IsoTimestamp.transform((s) => new Date(s).toISOString());

export const MemberSummary = z.object({
  id: RowId,
  name: z.string(),
  email: z.string(),
  origin: z.string().nullable(),
  roles: z.array(Role),
  profile_img: z.string().nullable(),
});
export type MemberSummary = z.infer<typeof MemberSummary>;

export const PeopleFilter = z.strictObject({
  query: SearchQuery.default(''),
  roles: z.array(Role).max(5).default([]),
  origins: z.array(z.string().max(ORIGIN_MAX)).max(50).default([]),
});

export const TimelineFilter = z.strictObject({
  userId: RowId.nullable().default(null),
  actionTypes: z.array(ActionType).max(20).default([]),
  targetTypes: z.array(TargetType).max(20).default([]),
  sourceSystems: z.array(SourceSystem).max(20).default([]),
  /** Inclusive lower bound on occurred_at. */
  from: InputTimestamp.nullable().default(null),
  /** Exclusive upper bound on occurred_at. */
  to: InputTimestamp.nullable().default(null),
});
export type TimelineFilter = z.infer<typeof TimelineFilter>;

export const TimelineItem = UserActionRow.extend({ user_name: z.string().nullable(), pending: z.boolean() });
export type TimelineItem = z.infer<typeof TimelineItem>;

export const ChampionCard = z.object({
  champion: ChampionRow,
  user_name: z.string().nullable(),
  user_email: z.string().nullable(),
  cohort_name: z.string().nullable(),
  /** When the card entered its current stage (from its history), for "time in stage". */
  entered_stage_at: IsoTimestamp.nullable(),
  pending: z.boolean(),
  open_conflicts: z.number().int().nonnegative(),
});
export type ChampionCard = z.infer<typeof ChampionCard>;

export const StageChangeItem = ChampionStageChangeRow.extend({ pending: z.boolean(), changed_by_name: z.string().nullable() });

/**
 * Why a change is a conflict: the server's rejection code, or `server_changed` (made while
 * signed in to another server, never sent to this one: docs/protocol.md).
 */
export const CONFLICT_CODES = [...REJECTION_CODES, 'server_changed'] as const;
export const ConflictCode = z.enum(CONFLICT_CODES);
export type ConflictCode = z.infer<typeof ConflictCode>;

export const ConflictItem = z.object({
  id: z.number().int(),
  mutationId: z.number().int(),
  name: MutationNameSchema,
  args: JsonObject,
  code: ConflictCode,
  message: z.string(),
  current: JsonObject.nullable(),
  entityTable: z.string().nullable(),
  entityId: z.string().nullable(),
  /** This change was made on top of conflict `blockedBy`'s change and waits for the decision on it. */
  blockedBy: z.number().int().nullable(),
  /** The member the change is about (named and linked on screen), when this laptop knows them. */
  member: z.object({ id: RowId, name: z.string() }).nullable(),
  /** Whether "apply mine again" can work now; if not, why not, in plain words. */
  retry: z.object({ possible: z.boolean(), why: z.string().nullable() }),
  createdAt: IsoTimestamp,
});
export type ConflictItem = z.infer<typeof ConflictItem>;

export const SYNC_PHASES = ['idle', 'pushing', 'pulling', 'offline', 'error', 'signed_out'] as const;
export const SyncStatus = z.object({
  phase: z.enum(SYNC_PHASES),
  online: z.boolean(),
  pending: z.number().int().nonnegative(),
  conflicts: z.number().int().nonnegative(),
  lastSyncedAt: IsoTimestamp.nullable(),
  /** Plain words for the last failure, null when the last attempt succeeded. */
  error: z.string().nullable(),
  /** The next automatic retry after a failure. */
  nextRetryAt: IsoTimestamp.nullable(),
  progress: z
    .object({ pagesDone: z.number().int(), rowsApplied: z.number().int(), remaining: z.number().int() })
    .nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const AuthStatus = z.object({ signedIn: z.boolean(), user: SessionUser.nullable(), serverUrl: z.string().nullable() });
export type AuthStatus = z.infer<typeof AuthStatus>;

export const Settings = z.object({
  serverUrl: z.string().nullable(),
  dataLocation: z.string(),
  clientId: z.string(),
  tokenStorage: z.enum(['safeStorage', 'plain-file', 'memory']),
});
export type Settings = z.infer<typeof Settings>;

const ServerUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .max(500);

const Empty = z.strictObject({});
const Ok = z.object({ ok: z.literal(true) });

/** Every call: channel → input and output schemas. */
export const ipcContract = {
  'people.search': {
    input: PeopleFilter.extend({
      limit: z.number().int().min(1).max(500).default(100),
      /** Opaque keyset cursor from the previous page. */
      after: z.string().max(500).nullable().default(null),
    }),
    output: z.object({ items: z.array(MemberSummary), nextCursor: z.string().nullable() }),
  },
  'people.count': { input: PeopleFilter, output: z.object({ count: z.number().int() }) },
  'people.origins': { input: Empty, output: z.object({ origins: z.array(z.string()) }) },
  'people.exportCsv': { input: PeopleFilter, output: z.object({ csv: z.string(), rows: z.number().int() }) },
  'member.get': {
    input: z.strictObject({ id: RowId }),
    output: z.object({
      user: UserRow,
      enrollments: z.array(EnrollmentRow.extend({ cohort_name: z.string().nullable() })),
      champions: z.array(ChampionCard),
      actionCount: z.number().int(),
    }),
  },
  'timeline.page': {
    input: TimelineFilter.extend({
      limit: z.number().int().min(1).max(500).default(50),
      after: z.strictObject({ occurredAt: IsoTimestamp, id: RowId }).nullable().default(null),
    }),
    output: z.object({
      items: z.array(TimelineItem),
      nextCursor: z.object({ occurredAt: z.string(), id: z.string() }).nullable(),
    }),
  },
  'timeline.dailyCounts': {
    input: TimelineFilter,
    output: z.object({ days: z.array(z.object({ day: z.string(), count: z.number().int() })) }),
  },
  'cohorts.list': { input: Empty, output: z.object({ cohorts: z.array(CohortRow) }) },
  'board.get': {
    input: z.strictObject({ cohortId: RowId.nullable() }),
    output: z.object({
      cohortId: RowId.nullable(),
      columns: z.array(z.object({ stage: Stage, count: z.number().int(), cards: z.array(ChampionCard) })),
    }),
  },
  'champion.history': {
    input: z.strictObject({ id: RowId }),
    output: z.object({ changes: z.array(StageChangeItem) }),
  },
  'champion.create': {
    input: z.strictObject({ userId: RowId, cohortId: RowId.nullable(), notes: z.string().max(NOTES_MAX).default('') }),
    output: z.object({ id: RowId, mutationId: z.number().int() }),
  },
  'champion.move': {
    input: z.strictObject({ id: RowId, to: Stage, reason: z.string().max(REASON_MAX).nullable().default(null) }),
    output: z.object({ mutationId: z.number().int() }),
  },
  'champion.setNotes': {
    input: z.strictObject({ id: RowId, notes: z.string().max(NOTES_MAX) }),
    output: z.object({ mutationId: z.number().int() }),
  },
  'champion.setCohort': {
    input: z.strictObject({ id: RowId, cohortId: RowId.nullable() }),
    output: z.object({ mutationId: z.number().int() }),
  },
  'champion.remove': { input: z.strictObject({ id: RowId }), output: z.object({ mutationId: z.number().int() }) },
  'action.record': {
    input: z.strictObject({
      userId: RowId,
      enrollmentId: RowId.nullable().default(null),
      actionType: ActionType,
      targetType: TargetType.nullable().default(null),
      targetId: z.string().max(TARGET_ID_MAX).nullable().default(null),
      metadata: JsonObject.default({}),
      occurredAt: InputTimestamp,
    }),
    output: z.object({ id: RowId, mutationId: z.number().int() }),
  },
  'conflicts.list': { input: Empty, output: z.object({ conflicts: z.array(ConflictItem) }) },
  'conflicts.resolve': {
    input: z.strictObject({
      id: z.number().int().positive(),
      /** `keep-server`: accept the server's row (the coordinator's text stays in the record);
       *  `retry-mine`: queue the coordinator's intent again on top of the server's current row. */
      resolution: z.enum(['keep-server', 'retry-mine']),
    }),
    output: z.object({ mutationId: z.number().int().nullable() }),
  },
  'sync.status': { input: Empty, output: SyncStatus },
  'sync.now': { input: Empty, output: SyncStatus },
  'sync.fullResync': { input: Empty, output: SyncStatus },
  'auth.status': { input: Empty, output: AuthStatus },
  'auth.signIn': {
    input: z.strictObject({
      serverUrl: ServerUrl,
      email: z.string().min(1, 'is required').max(EMAIL_MAX),
      password: z.string().min(1, 'is required').max(PASSWORD_MAX),
    }),
    output: AuthStatus,
  },
  'auth.signOut': { input: Empty, output: AuthStatus },
  'settings.get': { input: Empty, output: Settings },
  'settings.resetLocalData': {
    input: z.strictObject({ confirm: z.literal(true, { message: 'must be true to erase local data' }) }),
    output: Ok,
  },
} as const;

export type Channel = keyof typeof ipcContract;
export const CHANNELS = Object.keys(ipcContract) as Channel[];
export type CallInput<C extends Channel> = z.input<(typeof ipcContract)[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<(typeof ipcContract)[C]['input']>;
export type CallOutput<C extends Channel> = z.infer<(typeof ipcContract)[C]['output']>;

/** Events the core pushes to the renderer. */
export const ipcEvents = {
  'sync.status': SyncStatus,
  /** Tables whose rows changed (sync applied a page, or a local mutation): the renderer invalidates caches. */
  'data.changed': z.object({ tables: z.array(z.union([SyncTable, z.literal('outbox'), z.literal('conflict')])) }),
  'auth.changed': AuthStatus,
} as const;
export type EventName = keyof typeof ipcEvents;
export type EventPayload<E extends EventName> = z.infer<(typeof ipcEvents)[E]>;

export const IPC_ERROR_CODES = ['bad_request', 'not_found', 'conflict', 'unauthorized', 'unavailable', 'internal'] as const;
export const IpcError = z.object({ code: z.enum(IPC_ERROR_CODES), message: z.string(), field: z.string().optional() });
export type IpcError = z.infer<typeof IpcError>;

/** What every call answers: the output, or a typed error naming the field. Never a stack trace. */
export type IpcResult<C extends Channel> = { ok: true; data: CallOutput<C> } | { ok: false; error: IpcError };

/** The API the preload exposes (and the browser host's client implements) as `window.afh`. */
export interface AfhApi {
  call<C extends Channel>(channel: C, input: CallInput<C>): Promise<IpcResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  readonly host: 'electron' | 'browser';
}

export const STAGE_ORDER = STAGES;
