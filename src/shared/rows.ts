import { z } from 'zod';
import { columnDecls, SYNC_TABLES, type ColumnDecl, type Columns, type SyncTableName } from './model/tables.js';
import { ROW_ID_MAX, ROW_ID_PATTERN } from './limits.js';
import { isStorableTime, storableText, StorableJsonObject, TIMESTAMP_RANGE_MESSAGE } from './storable.js';

// Rows as they travel on the wire (docs/protocol.md): the tables' own column names,
// `roles` as a JSON array, `metadata` as a JSON object, timestamps as UTC ISO-8601. The row
// schemas are derived from the tables' one declaration (model/tables.ts).

/** UTC ISO-8601 timestamp, e.g. 2026-04-20T10:00:00Z or 2026-04-20T10:00:00.123Z. */
export const IsoTimestamp = z.iso.datetime({ offset: false, message: 'must be a UTC ISO-8601 timestamp like 2026-04-20T10:00:00Z' });

/** Row ids: printable, no whitespace, bounded. `usr_42_maya`, `ch_07_maya`, `act_…`. */
export const RowId = z
  .string()
  .min(1, 'must not be empty')
  .max(ROW_ID_MAX, `must be at most ${ROW_ID_MAX} characters`)
  .regex(ROW_ID_PATTERN, 'may contain only letters, digits and _ . : -');

/** A JSON object a row can carry: bounded depth and bytes, well-formed text (storable.ts). */
export const JsonObject = StorableJsonObject;

/** A timestamp both databases and every date input hold: [TIMESTAMP_MIN, TIMESTAMP_MAX) (limits.ts). */
export const StorableTimestamp = IsoTimestamp.refine(isStorableTime, TIMESTAMP_RANGE_MESSAGE);
type Nullable<C, V> = C extends { readonly nullable: true } ? V | null : V;
/** The wire value of a declared column (model/tables.ts). */
type WireValue<C> = Nullable<
  C,
  C extends { readonly kind: 'enum'; readonly values: readonly (infer V)[] }
    ? V
    : C extends { readonly kind: 'enumArray'; readonly values: readonly (infer V)[] }
      ? V[]
      : C extends { readonly kind: 'jsonObject' }
        ? z.infer<typeof JsonObject>
        : C extends { readonly kind: 'version' }
          ? number
          : string
>;
type WireShape<T extends SyncTableName> = { [K in keyof Columns<T>]: z.ZodType<WireValue<Columns<T>[K]>, WireValue<Columns<T>[K]>> };

/** The zod schema of one declared column's wire value. */
function columnSchema(c: ColumnDecl): z.ZodType {
  const base = ((): z.ZodType => {
    switch (c.kind) {
      case 'id':
        return RowId;
      // Optional text is only bounded; required text must not be empty either.
      case 'text':
        return c.min > 0 ? storableText({ min: c.min, max: c.max }) : storableText({ max: c.max });
      case 'enum':
        return z.enum(c.values);
      case 'enumArray':
        return z.array(z.enum(c.values));
      case 'jsonObject':
        return JsonObject;
      case 'timestamp':
        return StorableTimestamp;
      case 'version':
        return z.number().int().positive();
    }
  })();
  return c.nullable ? base.nullable() : base;
}

/** A table's wire row schema, derived from its declaration: its columns, in declaration order, and nothing else. */
function wireRowSchema<T extends SyncTableName>(table: T): z.ZodObject<WireShape<T>, z.core.$strict> {
  const shape = Object.fromEntries(columnDecls(table).map(([name, c]) => [name, columnSchema(c)])) as WireShape<T>;
  return z.strictObject(shape);
}

export const UserRow = wireRowSchema('user');
export const CohortRow = wireRowSchema('cohort');
export const EnrollmentRow = wireRowSchema('enrollment');
export const UserActionRow = wireRowSchema('user_action');
export const ChampionRow = wireRowSchema('champion');
export const ChampionStageChangeRow = wireRowSchema('champion_stage_change');

export type UserRow = z.infer<typeof UserRow>;
export type CohortRow = z.infer<typeof CohortRow>;
export type EnrollmentRow = z.infer<typeof EnrollmentRow>;
export type UserActionRow = z.infer<typeof UserActionRow>;
export type ChampionRow = z.infer<typeof ChampionRow>;
export type ChampionStageChangeRow = z.infer<typeof ChampionStageChangeRow>;

export { SYNC_TABLES };
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
