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

export const JsonObject = z.record(z.string(), z.unknown());

export const UserRow = z.strictObject({
  id: RowId,
  email: z.string().min(EMAIL_MIN).max(EMAIL_MAX),
  name: z.string().min(1).max(PERSON_NAME_MAX),
  origin: z.string().max(ORIGIN_MAX).nullable(),
  profile_img: z.string().max(PROFILE_IMG_MAX).nullable(),
  roles: z.array(Role),
  created_at: IsoTimestamp,
});

export const CohortRow = z.strictObject({
  id: RowId,
  name: z.string().min(1).max(COHORT_NAME_MAX),
  starts_at: IsoTimestamp.nullable(),
  ends_at: IsoTimestamp.nullable(),
  status: z.enum(['planned', 'active', 'finished']),
  created_at: IsoTimestamp,
});

export const EnrollmentRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  cohort_id: RowId.nullable(),
  course_name: z.string().max(COURSE_NAME_MAX).nullable(),
  status: z.enum(['active', 'completed', 'withdrawn']),
  enrolled_at: IsoTimestamp,
});

export const UserActionRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  enrollment_id: RowId.nullable(),
  action_type: ActionType,
  target_type: TargetType.nullable(),
  target_id: z.string().max(TARGET_ID_MAX).nullable(),
  metadata: JsonObject,
  source_system: SourceSystem.nullable(),
  source_event_id: z.string().max(SOURCE_EVENT_ID_MAX).nullable(),
  idempotency_key: z.string().max(IDEMPOTENCY_KEY_MAX).nullable(),
  occurred_at: IsoTimestamp,
});

export const ChampionRow = z.strictObject({
  id: RowId,
  user_id: RowId,
  cohort_id: RowId.nullable(),
  stage: Stage,
  notes: z.string().max(NOTES_MAX),
  selected_at: IsoTimestamp.nullable(),
  became_champion_at: IsoTimestamp.nullable(),
  /** Bumped by the server on every stage move (docs/protocol.md): what a move's baseVersion is checked against. */
  stage_version: z.number().int().positive(),
});

export const ChampionStageChangeRow = z.strictObject({
  id: RowId,
  champion_id: RowId,
  from_stage: Stage.nullable(),
  to_stage: Stage,
  changed_at: IsoTimestamp,
  changed_by: RowId,
  reason: z.string().max(REASON_MAX).nullable(),
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
export const upstreamIdempotencyKey = (sourceSystem: string, sourceEventId: string): string =>
  `user_action:${sourceSystem}:${sourceEventId}`;
export const manualIdempotencyKey = (clientId: string, localActionId: string): string =>
  `user_action:manual:${clientId}:${localActionId}`;
