import { z } from 'zod';
import { ActionType, Role, SourceSystem, Stage, TargetType } from './enums.js';
import {
  ChampionRow,
  ChampionStageChangeRow,
  CohortRow,
  EnrollmentRow,
  IsoTimestamp,
  JsonObject,
  RowId,
  DataTable,
  UserActionRow,
  UserRow,
} from './rows.js';
import { REJECTION_CODES, MutationNameSchema } from './mutations.js';
import {
  EMAIL_MAX,
  MAX_CLOCK_SKEW_MS,
  NOTES_MAX,
  ORIGIN_MAX,
  PASSWORD_MAX,
  REASON_MAX,
  SEARCH_QUERY_MAX,
  TARGET_ID_MAX,
  TIMESTAMP_MIN,
} from './limits.js';
import { SessionList, SessionUser } from './protocol.js';
import { serverUrlProblem } from './serverUrl.js';
import { AtRiskDays, AtRiskList, CohortInsight, CohortsOverview } from './insight.js';
import { isTimeZone } from './timeZones.js';
import { storableText } from './storable.js';

// The contract between the renderer and the main-process core. Both hosts (Electron
// ipcMain, browser-host WebSocket) carry exactly these calls and events; every input
// is parsed with its schema before a handler sees it, every output before it leaves.

// Never stored, only matched: any text a person can paste is searched for as plain words.
const SearchQuery = z.string().max(SEARCH_QUERY_MAX);

/**
 * A timestamp the coordinator typed, in the one form every stored timestamp has (the server
 * sends milliseconds): timestamps compare as text in SQLite, and `10:00:00Z` sorts after
 * `10:00:00.500Z`, so a second form would misplace rows in timelines and date filters.
 */
const InputTimestamp = IsoTimestamp.transform((s) => new Date(s).toISOString());

/**
 * When a recorded action happened: not before the platform's first storable day, and not later
 * than now plus the clock skew the server allows (docs/protocol.md, limits).
 */
const OccurredAt = InputTimestamp.refine((s) => s >= TIMESTAMP_MIN, {
  message: `must be on or after ${TIMESTAMP_MIN.slice(0, 10)}`,
}).refine((s) => Date.parse(s) <= Date.now() + MAX_CLOCK_SKEW_MS, { message: 'must not be in the future' });

/** An IANA time zone name (`Europe/London`, `UTC`): which calendar day a timestamp falls on for the person reading. */
const TimeZoneName = z.string().max(64).refine(isTimeZone, { message: 'is not a known time zone' });

export const MemberSummary = z.object({
  id: RowId,
  name: z.string(),
  email: z.string(),
  origin: z.string().nullable(),
  roles: z.array(Role),
  profileImg: z.string().nullable(),
  /** When the member joined the platform (user.created_at). */
  joinedAt: IsoTimestamp,
  /** Their newest action on this laptop, or null when none. */
  lastActiveAt: IsoTimestamp.nullable(),
  /** Their stage in the global pipeline, else the furthest along of their cohort pipelines; null when in none. */
  championStage: Stage.nullable(),
});
export type MemberSummary = z.infer<typeof MemberSummary>;

/** The people list's orders: by name, most recently active first, most recently joined first. */
export const PEOPLE_SORTS = ['name', 'last_active', 'joined'] as const;
export const PeopleSort = z.enum(PEOPLE_SORTS);
export type PeopleSort = z.infer<typeof PeopleSort>;

const PeopleFilter = z.strictObject({
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

export const TimelineItem = UserActionRow.extend({
  userName: z.string().nullable(),
  /** The action's enrollment's course and cohort (what it was about, in words). */
  courseName: z.string().nullable(),
  cohortName: z.string().nullable(),
  pending: z.boolean(),
});
export type TimelineItem = z.infer<typeof TimelineItem>;

export const ChampionCard = z.object({
  champion: ChampionRow,
  userName: z.string().nullable(),
  userEmail: z.string().nullable(),
  cohortName: z.string().nullable(),
  /** When the card entered its current stage (from its history), for "time in stage". */
  enteredStageAt: IsoTimestamp.nullable(),
  pending: z.boolean(),
  openConflicts: z.number().int().nonnegative(),
});
export type ChampionCard = z.infer<typeof ChampionCard>;

const StageChangeItem = ChampionStageChangeRow.extend({ pending: z.boolean(), changedByName: z.string().nullable() });

/**
 * Why a change is a conflict: the server's rejection code, or `server_changed` (made while
 * signed in to another server, never sent to this one: docs/protocol.md).
 */
/** `discard_too_late`: a discarded change had already applied on the server before the discard reached it. */
const CONFLICT_CODES = [...REJECTION_CODES, 'server_changed', 'discard_too_late'] as const;
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

const SYNC_PHASES = ['idle', 'pushing', 'pulling', 'offline', 'error', 'signed_out'] as const;
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
  progress: z.object({ pagesDone: z.number().int(), rowsApplied: z.number().int(), remaining: z.number().int() }).nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const AuthStatus = z.object({
  signedIn: z.boolean(),
  user: SessionUser.nullable(),
  serverUrl: z.string().nullable(),
  /** Why this laptop's data was removed (device revoked, coordinator role lost), until dismissed; never personal data. */
  notice: z.string().nullable(),
});
export type AuthStatus = z.infer<typeof AuthStatus>;

const NoticeItem = z.object({
  id: z.number().int(),
  kind: z.enum(['member_erased', 'member_out_of_scope', 'data_wiped']),
  message: z.string(),
  count: z.number().int(),
  createdAt: z.string(),
});
type NoticeItem = z.infer<typeof NoticeItem>;

export const Settings = z.object({
  serverUrl: z.string().nullable(),
  dataLocation: z.string(),
  clientId: z.string(),
  tokenStorage: z.enum(['safeStorage', 'plain-file', 'memory']),
  /**
   * Where the OS cannot encrypt the sign-in (Linux without a keyring): whether the coordinator
   * chose to keep it on disk in a file only they can read. null where there is no such choice.
   */
  keepSignInOnDisk: z.boolean().nullable(),
});
export type Settings = z.infer<typeof Settings>;

/** This laptop's display choices, kept in its data folder. */
export const Preferences = z.object({
  /** The zone times are shown in; null = the computer's own zone. */
  timeZone: z.string().nullable(),
});
export type Preferences = z.infer<typeof Preferences>;

// https://, or http:// only to this computer (serverUrl.ts says why).
const ServerUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
  .max(500)
  .superRefine((url, ctx) => {
    const problem = serverUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A pulled change this laptop could not store, put aside so the pull went on (docs/protocol.md, "Pull quarantine"). */
const QuarantineItem = z.object({
  id: z.number().int(),
  /** The table it was for, as the server named it (`unknown` when the change named none). */
  table: z.string(),
  rowId: z.string(),
  /** Why, in plain words. */
  reason: z.string(),
  receivedAt: IsoTimestamp,
});
type QuarantineItem = z.infer<typeof QuarantineItem>;

/** A change made on this laptop and not yet confirmed by a pull (docs/protocol.md, "Discarding a pending change"). */
export const PendingItem = z.object({
  id: z.number().int(),
  /** What, in plain words. */
  what: z.string(),
  member: z.object({ id: RowId, name: z.string() }).nullable(),
  createdAt: IsoTimestamp,
  /** `waiting`: not sent yet; `sent`: sent, answer not heard; `applied`: the server applied it, the next pull shows it. */
  state: z.enum(['waiting', 'sent', 'applied']),
});
export type PendingItem = z.infer<typeof PendingItem>;

const Empty = z.strictObject({});
const Ok = z.object({ ok: z.literal(true) });

/** Every call: channel → input and output schemas. */
export const ipcContract = {
  'people.search': {
    input: PeopleFilter.extend({
      sort: PeopleSort.default('name'),
      limit: z.number().int().min(1).max(500).default(100),
      /** Opaque keyset cursor from the previous page. */
      after: z.string().max(500).nullable().default(null),
    }),
    output: z.object({ items: z.array(MemberSummary), nextCursor: z.string().nullable() }),
  },
  'people.count': { input: PeopleFilter, output: z.object({ count: z.number().int() }) },
  'people.origins': { input: Empty, output: z.object({ origins: z.array(z.string()) }) },
  'people.exportCsv': {
    input: PeopleFilter.extend({ sort: PeopleSort.default('name') }),
    output: z.object({ csv: z.string(), rows: z.number().int() }),
  },
  'member.get': {
    input: z.strictObject({ id: RowId }),
    output: z.object({
      user: UserRow,
      enrollments: z.array(EnrollmentRow.extend({ cohortName: z.string().nullable() })),
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
    /** Days are calendar days in `timeZone` (the reader's), so bars and day headers agree with the times shown. */
    input: TimelineFilter.extend({ timeZone: TimeZoneName.default('UTC') }),
    output: z.object({ days: z.array(z.object({ day: z.string(), count: z.number().int() })) }),
  },
  'timeline.exportCsv': {
    /** Every event the filter finds, newest first, as CSV; `local_time` is read in `timeZone`. */
    input: TimelineFilter.extend({ timeZone: TimeZoneName.default('UTC') }),
    output: z.object({ csv: z.string(), rows: z.number().int(), truncated: z.boolean() }),
  },
  'member.photo': {
    /** The member's picture as a data: URL, fetched by the core (never by the page); null offline or when there is none. */
    input: z.strictObject({ id: RowId }),
    output: z.object({ dataUrl: z.string().nullable() }),
  },
  'cohorts.list': { input: Empty, output: z.object({ cohorts: z.array(CohortRow) }) },
  /**
   * The communities this laptop holds (issue 13), as the last sign-in told it: `all`, some cohorts,
   * `none` (no scope assigned yet: the app says whom to ask), or `unknown` (a session saved
   * before scopes existed: known after the next sign-in).
   */
  'scope.mine': {
    input: Empty,
    output: z.object({ state: z.enum(['all', 'cohorts', 'none', 'unknown']), cohorts: z.array(z.object({ id: RowId, name: z.string() })) }),
  },
  /** Whether a member left this laptop's communities (the member page says so instead of failing). */
  'member.leftScope': {
    input: z.strictObject({ id: RowId }),
    output: z.object({ left: z.boolean(), leftAt: z.string().nullable() }),
  },
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
    input: z.strictObject({ userId: RowId, cohortId: RowId.nullable(), notes: storableText({ max: NOTES_MAX }).default('') }),
    output: z.object({ id: RowId, mutationId: z.number().int() }),
  },
  'champion.move': {
    input: z.strictObject({ id: RowId, to: Stage, reason: storableText({ max: REASON_MAX }).nullable().default(null) }),
    output: z.object({ mutationId: z.number().int() }),
  },
  'champion.setNotes': {
    input: z.strictObject({ id: RowId, notes: storableText({ max: NOTES_MAX }) }),
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
      targetId: storableText({ max: TARGET_ID_MAX }).nullable().default(null),
      metadata: JsonObject.default({}),
      occurredAt: OccurredAt,
    }),
    output: z.object({ id: RowId, mutationId: z.number().int() }),
  },
  // Cohort insight (docs/insight.md). `atRiskDays`/`days` default to the coordinator's setting.
  'cohorts.overview': { input: z.strictObject({ atRiskDays: AtRiskDays.optional() }), output: CohortsOverview },
  'cohort.insight': { input: z.strictObject({ cohortId: RowId }), output: CohortInsight },
  'cohort.atRisk': { input: z.strictObject({ cohortId: RowId, days: AtRiskDays.optional() }), output: AtRiskList },
  'cohort.atRiskCsv': {
    input: z.strictObject({ cohortId: RowId, days: AtRiskDays.optional() }),
    output: z.object({ csv: z.string(), rows: z.number().int(), filename: z.string() }),
  },
  'insight.settings': { input: Empty, output: z.object({ atRiskDays: AtRiskDays }) },
  'insight.setAtRiskDays': { input: z.strictObject({ days: AtRiskDays }), output: z.object({ atRiskDays: AtRiskDays }) },
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
  'pending.list': { input: Empty, output: z.object({ items: z.array(PendingItem) }) },
  /** Discard a pending change (and the later ones to the same card, made on top of it); answers the ids discarded. */
  'pending.discard': { input: z.strictObject({ id: z.number().int().positive() }), output: z.object({ discarded: z.array(z.number().int()) }) },
  'quarantine.list': { input: Empty, output: z.object({ items: z.array(QuarantineItem) }) },
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
  'preferences.get': { input: Empty, output: Preferences },
  'preferences.set': { input: z.strictObject({ timeZone: TimeZoneName.nullable() }), output: Preferences },
  'settings.resetLocalData': {
    input: z.strictObject({ confirm: z.literal(true, { message: 'must be true to erase local data' }) }),
    output: Ok,
  },
  'settings.setKeepSignInOnDisk': { input: z.strictObject({ keep: z.boolean() }), output: Settings },
  /** Sign out and remove this laptop's data. Pending changes are pushed first; any left are removed only with discardPending. */
  'auth.signOutAndRemoveData': { input: z.strictObject({ discardPending: z.boolean() }), output: AuthStatus },
  /** What happened to local data without the coordinator doing it (a member erased, data removed): dismissible. */
  'notices.list': { input: Empty, output: z.object({ notices: z.array(NoticeItem) }) },
  'notices.dismiss': { input: z.strictObject({ id: z.number().int().positive() }), output: Ok },
  /** The coordinator's signed-in sessions (one per device), from the server. */
  'devices.list': { input: Empty, output: SessionList },
  /** End one of them (another laptop, say); the list after. */
  'devices.signOut': { input: z.strictObject({ id: z.uuid({ message: 'must be a session id' }) }), output: SessionList },
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
  'data.changed': z.object({ tables: z.array(DataTable) }),
  'auth.changed': AuthStatus,
  /**
   * The page's link to its host, sent by the host's transport on the page's side, never by the
   * core: `lost` = the host cannot be reached (it stopped; retrying), `expired` = the host refuses
   * this page's key (a tab from an earlier run). The Electron preload never sends it: there the
   * page cannot outlive its host.
   */
  'host.connection': z.object({ state: z.enum(['connected', 'lost', 'expired']) }),
} as const;
export type EventName = keyof typeof ipcEvents;
export type EventPayload<E extends EventName> = z.infer<(typeof ipcEvents)[E]>;

const IPC_ERROR_CODES = ['bad_request', 'not_found', 'conflict', 'unauthorized', 'unavailable', 'internal'] as const;
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
