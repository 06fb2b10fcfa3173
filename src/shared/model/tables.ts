import { ACTION_TYPES, COHORT_STATUSES, ENROLLMENT_STATUSES, ROLES, SOURCE_SYSTEMS, STAGES, TARGET_TYPES } from '../enums.js';
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
  SOURCE_EVENT_ID_MAX,
  TARGET_ID_MAX,
} from '../limits.js';

// The six mirrored tables, declared once: each column's name, kind, limits, enum and
// nullability. Everything else about them is derived from here: the zod wire rows in rows.ts,
// the SQLite <-> wire column lists in src/main/sync/wireRows.ts, the server's wire JSON in
// storedWire.ts, the enum and storable CHECKs of both drizzle schemas, the user_action insert
// statements, and the drizzle tables' columns themselves (src/main/db/declaredColumns.ts and
// src/server/db/declaredColumns.ts: keys the camelCase of these names, types chosen from these
// literal types), so renaming a column here is a type error at every typed use of the old key.
// The migrated databases are checked against it (model.test.ts on each side). Every declared
// column travels on the wire, in declaration order; columns only one database keeps are named in
// `localOnly` / `serverOnly` and spelled in that side's schema.ts.

/** A row id (`usr_42_maya`): printable, bounded (rows.ts RowId). */
interface IdColumn {
  readonly kind: 'id';
  readonly nullable: boolean;
}
/** Text of at most `max` (and at least `min`) UTF-16 units: storable.ts, and a length CHECK on the server. */
interface TextColumn {
  readonly kind: 'text';
  readonly nullable: boolean;
  readonly max: number;
  readonly min: number;
  readonly default?: string;
}
/** One of a fixed list: a CHECK in both databases. */
interface EnumColumn {
  readonly kind: 'enum';
  readonly nullable: boolean;
  readonly values: readonly [string, ...string[]];
}
/** A JSON array of enum values: JSON TEXT locally, jsonb on the server, an array on the wire. */
interface EnumArrayColumn {
  readonly kind: 'enumArray';
  readonly nullable: false;
  readonly values: readonly [string, ...string[]];
  readonly default: '[]';
}
/** A JSON object (bounded depth and size, storable.ts): JSON TEXT locally, jsonb on the server. */
interface JsonObjectColumn {
  readonly kind: 'jsonObject';
  readonly nullable: false;
  readonly default: '{}';
}
/** UTC ISO-8601 within [TIMESTAMP_MIN, TIMESTAMP_MAX): TEXT locally, timestamptz on the server. */
interface TimestampColumn {
  readonly kind: 'timestamp';
  readonly nullable: boolean;
}
/** A positive integer counter. */
interface VersionColumn {
  readonly kind: 'version';
  readonly nullable: false;
  readonly default: 1;
}

export type ColumnDecl = IdColumn | TextColumn | EnumColumn | EnumArrayColumn | JsonObjectColumn | TimestampColumn | VersionColumn;
export type ColumnKind = ColumnDecl['kind'];

interface TableDecl {
  /** Prefix of the table's CHECK names (`csc_to_stage_check`). */
  readonly checkPrefix: string;
  readonly columns: { readonly [column: string]: ColumnDecl };
  /** Columns the laptop's SQLite keeps and the wire never carries. */
  readonly localOnly: readonly string[];
  /** Columns the server keeps and the wire never carries. */
  readonly serverOnly: readonly string[];
  /**
   * The platform's partial unique indexes, the same in both databases (src/main/db/schema.ts and
   * src/server/db/schema.ts spread them through `partialUniques`): NULLs stay unconstrained.
   */
  readonly partialUniques?: readonly PartialUnique[];
}

export interface PartialUnique {
  readonly name: string;
  readonly columns: readonly [string, ...string[]];
  /** The index's WHERE, as SQL both dialects read the same way. */
  readonly where: string;
}

const id = { kind: 'id', nullable: false } as const;
const text = <M extends number>(max: M, min = 0) => ({ kind: 'text', nullable: false, max, min }) as const;
const oneOf = <const V extends readonly [string, ...string[]]>(values: V) => ({ kind: 'enum', nullable: false, values }) as const;
const time = { kind: 'timestamp', nullable: false } as const;
const orNull = <C extends IdColumn | TextColumn | EnumColumn | TimestampColumn>(c: C): Omit<C, 'nullable'> & { readonly nullable: true } => ({
  ...c,
  nullable: true,
});

/** Server bookkeeping on every synced table: change order (seq) and the stored wire text. */
const SERVER_ONLY = ['seq', 'wire'] as const;

export const SYNC_TABLES = ['user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change'] as const;
export type SyncTableName = (typeof SYNC_TABLES)[number];

export const TABLES = {
  user: {
    checkPrefix: 'user',
    columns: {
      id,
      email: text(EMAIL_MAX, EMAIL_MIN),
      name: text(PERSON_NAME_MAX, 1),
      origin: orNull(text(ORIGIN_MAX)),
      profile_img: orNull(text(PROFILE_IMG_MAX)),
      roles: { kind: 'enumArray', nullable: false, values: ROLES, default: '[]' },
      created_at: time,
    },
    localOnly: [],
    serverOnly: SERVER_ONLY,
  },
  cohort: {
    checkPrefix: 'cohort',
    columns: {
      id,
      name: text(COHORT_NAME_MAX, 1),
      starts_at: orNull(time),
      ends_at: orNull(time),
      status: oneOf(COHORT_STATUSES),
      created_at: time,
    },
    localOnly: [],
    serverOnly: SERVER_ONLY,
  },
  enrollment: {
    checkPrefix: 'enrollment',
    columns: {
      id,
      user_id: id,
      cohort_id: orNull(id),
      course_name: orNull(text(COURSE_NAME_MAX)),
      status: oneOf(ENROLLMENT_STATUSES),
      enrolled_at: time,
    },
    localOnly: [],
    serverOnly: SERVER_ONLY,
  },
  user_action: {
    checkPrefix: 'user_action',
    columns: {
      id,
      user_id: id,
      enrollment_id: orNull(id),
      action_type: oneOf(ACTION_TYPES),
      target_type: orNull(oneOf(TARGET_TYPES)),
      target_id: orNull(text(TARGET_ID_MAX)),
      metadata: { kind: 'jsonObject', nullable: false, default: '{}' },
      source_system: orNull(oneOf(SOURCE_SYSTEMS)),
      source_event_id: orNull(text(SOURCE_EVENT_ID_MAX)),
      idempotency_key: orNull(text(IDEMPOTENCY_KEY_MAX)),
      occurred_at: time,
    },
    localOnly: [],
    serverOnly: SERVER_ONLY,
    partialUniques: [
      {
        name: 'user_action_source_event_unique',
        columns: ['source_system', 'source_event_id'],
        where: 'source_system IS NOT NULL AND source_event_id IS NOT NULL',
      },
      { name: 'user_action_idempotency_key_unique', columns: ['idempotency_key'], where: 'idempotency_key IS NOT NULL' },
    ],
  },
  champion: {
    checkPrefix: 'champion',
    columns: {
      id,
      user_id: id,
      cohort_id: orNull(id),
      stage: oneOf(STAGES),
      notes: { ...text(NOTES_MAX), default: '' },
      selected_at: orNull(time),
      became_champion_at: orNull(time),
      /** Bumped by the server on every stage move (docs/protocol.md): what a move's baseVersion is checked against. */
      stage_version: { kind: 'version', nullable: false, default: 1 },
    },
    localOnly: [],
    serverOnly: SERVER_ONLY,
    // One champion row per member per cohort, and one global row per member (docs/architecture.md, "Domain rules").
    partialUniques: [
      { name: 'champion_user_cohort_unique', columns: ['user_id', 'cohort_id'], where: 'cohort_id IS NOT NULL' },
      { name: 'champion_user_global_unique', columns: ['user_id'], where: 'cohort_id IS NULL' },
    ],
  },
  champion_stage_change: {
    checkPrefix: 'csc',
    columns: {
      id,
      champion_id: id,
      from_stage: orNull(oneOf(STAGES)),
      to_stage: oneOf(STAGES),
      changed_at: time,
      changed_by: id,
      reason: orNull(text(REASON_MAX)),
    },
    /** Set on an optimistic row written for a still-pending mutation (src/main/sync/optimistic.ts). */
    localOnly: ['pending_mutation_id'],
    serverOnly: SERVER_ONLY,
  },
} as const satisfies { readonly [T in SyncTableName]: TableDecl };

export type Columns<T extends SyncTableName> = (typeof TABLES)[T]['columns'];
type ColumnName<T extends SyncTableName> = keyof Columns<T> & string;

/** A table's wire columns, in declaration order (the order of wire rows and of every generated column list). */
export const columnsOf = <T extends SyncTableName>(table: T): readonly ColumnName<T>[] => Object.keys(TABLES[table].columns) as ColumnName<T>[];

/** A table's columns as [name, declaration] pairs, in declaration order. */
export const columnDecls = (table: SyncTableName): readonly (readonly [string, ColumnDecl])[] =>
  Object.entries(TABLES[table].columns as { readonly [column: string]: ColumnDecl });

/** A table's partial unique indexes (none for most tables). */
export const partialUniquesOf = (table: SyncTableName): readonly PartialUnique[] => (TABLES[table] as TableDecl).partialUniques ?? [];
