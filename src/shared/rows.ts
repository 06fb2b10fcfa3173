import { z } from 'zod';
import { ActionType, Role, SourceSystem, Stage, TargetType } from './enums.js';
import {
  COHORT_NAME_MAX,
  COURSE_NAME_MAX,
  EMAIL_MAX,
  EMAIL_MIN,
  IDEMPOTENCY_KEY_MAX,
  NOTES_MAX,
  ORIGIN_MAX,
  PERSON_NAME_MAX,
  PROFILE_IMG_MAX,
  REASON_MAX,
  ROW_ID_MAX,
  SOURCE_EVENT_ID_MAX,
  TARGET_ID_MAX,
} from './limits.js';
import { isStorableTime, storableText, StorableJsonObject, TIMESTAMP_RANGE_MESSAGE } from './storable.js';

// Rows as they travel on the wire (docs/protocol.md): the tables' own column names,
// `roles` as a JSON array, `metadata` as a JSON object, timestamps as UTC ISO-8601.

/** UTC ISO-8601 timestamp, e.g. 2026-04-20T10:00:00Z or 2026-04-20T10:00:00.123Z. */
export const IsoTimestamp = z.iso.datetime({ offset: false, message: 'must be a UTC ISO-8601 timestamp like 2026-04-20T10:00:00Z' });

/** Row ids: printable, no whitespace, bounded. `usr_42_maya`, `ch_07_maya`, `act_…`. */
export const RowId = z
  .string()
  .min(1, 'must not be empty')
  .max(ROW_ID_MAX, `must be at most ${ROW_ID_MAX} characters`)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -');

/** A JSON object a row can carry: bounded depth and bytes, well-formed text (storable.ts). */
export const JsonObject = StorableJsonObject;

/** A timestamp both databases and every date input hold: [TIMESTAMP_MIN, TIMESTAMP_MAX) (limits.ts). */
export const StorableTimestamp = IsoTimestamp.refine(isStorableTime, TIMESTAMP_RANGE_MESSAGE);
const Ts = StorableTimestamp;
/** Optional text of a column: well-formed, at most `max` characters. */
const text = (max: number) => storableText({ max });
/** Required text: non-empty too. */
const required = (max: number, min = 1) => storableText({ min, max });

export const UserRow = z.strictObject({
  id: RowId,
  email: required(EMAIL_MAX, EMAIL_MIN),
  name: required(PERSON_NAME_MAX),
  origin: text(ORIGIN_MAX).nullable(),
  profile_img: text(PROFILE_IMG_MAX).nullable(),
  roles: z.array(Role),
  created_at: Ts,
});

export const CohortRow = z.strictObject({
  id: RowId,
  name: required(COHORT_NAME_MAX),
  starts_at: Ts.nullable(),
  ends_at: Ts.nullable(),
  status: z.enum(['planned', 'active', 'finished']),
  created_at: Ts,
});

export const EnrollmentRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  cohort_id: RowId.nullable(),
  course_name: text(COURSE_NAME_MAX).nullable(),
  status: z.enum(['active', 'completed', 'withdrawn']),
  enrolled_at: Ts,
});

export const UserActionRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  enrollment_id: RowId.nullable(),
  action_type: ActionType,
  target_type: TargetType.nullable(),
  target_id: text(TARGET_ID_MAX).nullable(),
  metadata: JsonObject,
  source_system: SourceSystem.nullable(),
  source_event_id: text(SOURCE_EVENT_ID_MAX).nullable(),
  idempotency_key: text(IDEMPOTENCY_KEY_MAX).nullable(),
  occurred_at: Ts,
});

export const ChampionRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  cohort_id: RowId.nullable(),
  stage: Stage,
  notes: text(NOTES_MAX),
  selected_at: Ts.nullable(),
  became_champion_at: Ts.nullable(),
  /** Bumped by the server on every stage move (docs/protocol.md): what a move's baseVersion is checked against. */
  stage_version: z.number().int().positive(),
});

export const ChampionStageChangeRow = z.strictObject({
  id: RowId,
  champion_id: RowId,
  from_stage: Stage.nullable(),
  to_stage: Stage,
  changed_at: Ts,
  changed_by: RowId,
  reason: text(REASON_MAX).nullable(),
});

export type UserRow = z.infer<typeof UserRow>;
export type CohortRow = z.infer<typeof CohortRow>;
export type EnrollmentRow = z.infer<typeof EnrollmentRow>;
export type UserActionRow = z.infer<typeof UserActionRow>;
export type ChampionRow = z.infer<typeof ChampionRow>;
export type ChampionStageChangeRow = z.infer<typeof ChampionStageChangeRow>;

export const SYNC_TABLES = ['user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change'] as const;
export const SyncTable = z.enum(SYNC_TABLES);
export type SyncTable = z.infer<typeof SyncTable>;

/**
 * The tables the screens read that a write can change: the mirrored ones plus the outbox and the
 * conflicts. A `data.changed` event names them; the app's writers report them as they write
 * (src/main/sync/writtenTables.ts), and the renderer invalidates its queries by them.
 */
export const DATA_TABLES = [...SYNC_TABLES, 'outbox', 'conflict'] as const;
export const DataTable = z.enum(DATA_TABLES);
export type DataTable = z.infer<typeof DataTable>;

export const ROW_SCHEMAS = {
  user: UserRow,
  cohort: CohortRow,
  enrollment: EnrollmentRow,
  user_action: UserActionRow,
  champion: ChampionRow,
  champion_stage_change: ChampionStageChangeRow,
} as const;

export interface RowOf {
  user: UserRow;
  cohort: CohortRow;
  enrollment: EnrollmentRow;
  user_action: UserActionRow;
  champion: ChampionRow;
  champion_stage_change: ChampionStageChangeRow;
}

/** Deterministic idempotency keys (docs/architecture.md, "Domain rules"). */
export const upstreamIdempotencyKey = (sourceSystem: string, sourceEventId: string): string => `user_action:${sourceSystem}:${sourceEventId}`;
export const manualIdempotencyKey = (clientId: string, localActionId: string): string => `user_action:manual:${clientId}:${localActionId}`;
