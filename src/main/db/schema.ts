import { sql } from 'drizzle-orm';
import { ROLES } from '../../shared/enums.js';
import { enumChecks as declaredEnumChecks } from '../../shared/model/checks.js';
import type { SyncTableName } from '../../shared/model/tables.js';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sqliteColumns, sqlitePartialUniques } from './declaredColumns.js';

// The local mirror of the platform's "User" domain plus the sync engine's own
// bookkeeping. Timestamps are UTC ISO-8601 TEXT (they sort as strings); `roles` and
// `metadata` are JSON TEXT, checked here and (per element) by triggers in a custom
// migration, because SQLite forbids subqueries inside CHECK.
//
// The six mirrored tables' columns are derived from the one declaration (src/shared/model/tables.ts,
// via declaredColumns.ts); only the local-only `pending_mutation_id`, the indexes and the CHECKs are
// spelled here. `champion.stage_version` is the server's stage version plus one for each pending move
// here (a move's baseVersion is the value it was made on).

/** `<col>` (a JSON array of role strings) holds `role`; also used verbatim by queries/people.ts to match the partial indexes. */
export const roleTest = (col: string, role: string): string => `instr(${col}, '"${role}"') > 0`;

/** The table's enum CHECKs, derived from its declaration (src/shared/model). */
const enumChecks = (table: SyncTableName) => declaredEnumChecks(table, 'sqlite').map((c) => check(c.name, sql.raw(c.sql)));

export const user = sqliteTable('user', sqliteColumns('user'), (t) => [
  check('user_roles_json', sql`json_valid(${t.roles}) AND json_type(${t.roles}) = 'array'`),
  index('user_origin_idx').on(t.origin),
  // (name, id) is the keyset order of the people list when the search box is empty.
  index('user_name_idx').on(t.name, t.id),
  // (created_at, id) walked backwards is the people list sorted by "joined", newest first.
  index('user_created_idx').on(t.createdAt, t.id),
  // One partial (name, id) index per role: the people list filtered by a rare role
  // (superadmin, admin) walks only that role's members instead of everyone. The test is
  // a substring test on the JSON text, exact because the role triggers only let plain
  // known role strings in (see drizzle/client/0001).
  ...ROLES.map((role) =>
    index(`user_role_${role}_idx`)
      .on(t.name, t.id)
      .where(sql.raw(roleTest('roles', role))),
  ),
]);

export const cohort = sqliteTable('cohort', sqliteColumns('cohort'), () => enumChecks('cohort'));

export const enrollment = sqliteTable('enrollment', sqliteColumns('enrollment'), (t) => [
  ...enumChecks('enrollment'),
  index('enrollment_user_idx').on(t.userId),
]);

export const userAction = sqliteTable('user_action', sqliteColumns('user_action'), (t) => [
  ...enumChecks('user_action'),
  check('user_action_metadata_object', sql`json_valid(${t.metadata}) AND json_type(${t.metadata}) = 'object'`),
  ...sqlitePartialUniques('user_action', t),
  // Timeline keyset pages: newest first on (occurred_at, id), per member and across all.
  index('user_action_user_time_idx').on(t.userId, t.occurredAt, t.id),
  index('user_action_time_idx').on(t.occurredAt, t.id),
  // A filtered timeline across all members walks one of these per selected value
  // (see queries/timeline.ts), so a rare type or source never means scanning the whole log.
  index('user_action_type_time_idx').on(t.actionType, t.occurredAt, t.id),
  index('user_action_source_time_idx').on(t.sourceSystem, t.occurredAt, t.id),
  index('user_action_target_time_idx').on(t.targetType, t.occurredAt, t.id),
]);

export const champion = sqliteTable('champion', sqliteColumns('champion'), (t) => [
  ...enumChecks('champion'),
  ...sqlitePartialUniques('champion', t),
  index('champion_cohort_stage_idx').on(t.cohortId, t.stage),
]);

export const championStageChange = sqliteTable(
  'champion_stage_change',
  {
    ...sqliteColumns('champion_stage_change'),
    /** Local only: set on an optimistic row written for a still-pending mutation; NULL for server rows. */
    pendingMutationId: integer('pending_mutation_id'),
  },
  (t) => [
    ...enumChecks('champion_stage_change'),
    index('csc_champion_idx').on(t.championId, t.changedAt),
    index('csc_pending_idx')
      .on(t.pendingMutationId)
      .where(sql`pending_mutation_id IS NOT NULL`),
  ],
);

// ---- the sync engine's bookkeeping (never sent to the server) ----

/** One row (id = 1): who this install is and how far it has synced. */
export const syncState = sqliteTable(
  'sync_state',
  {
    id: integer('id').primaryKey(),
    clientId: text('client_id').notNull(),
    /** Opaque pull cursor; NULL = pull from the start. */
    cursor: text('cursor'),
    /** The next id a new outbox mutation gets. Never reused, so ids stay consecutive for the server. */
    nextMutationId: integer('next_mutation_id').notNull().default(1),
    /** The server's lastMutationId for this client as last heard (push or pull). */
    serverLastMutationId: integer('server_last_mutation_id').notNull().default(0),
    lastSyncedAt: text('last_synced_at'),
    /** Set while a multi-page pull is in progress (for the UI and for resume after a crash). */
    pullInProgress: integer('pull_in_progress').notNull().default(0),
    /** The server database the mirror, cursor and outbox belong to (its sync_meta.database_id); NULL before the first answer. */
    serverDatabaseId: text('server_database_id'),
    /**
     * Every mutation up to this id has its outcome recorded here (conflicts written, rollbacks
     * done): what the next push acknowledges (`ack`). Mutations above it are sent (again) until
     * their answers are heard.
     */
    heardMutationId: integer('heard_mutation_id').notNull().default(0),
    /** The server's clock minus this laptop's, as last measured; added to the times this laptop stamps on moves. */
    clockOffsetMs: integer('clock_offset_ms').notNull().default(0),
    /** The address used before the last change of address (session.ts): tells "another server" from "same server" for data synced before protocol 2. */
    previousServerUrl: text('previous_server_url'),
  },
  (t) => [check('sync_state_singleton', sql`${t.id} = 1`)],
);

/** Pending mutations, in id order. A row leaves when the server has applied or rejected it. */
export const outbox = sqliteTable('outbox', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  args: text('args').notNull(),
  createdAt: text('created_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
});

/** A rejected mutation, kept with the coordinator's intent and text until they resolve it. */
export const conflict = sqliteTable(
  'conflict',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mutationId: integer('mutation_id').notNull(),
    name: text('name').notNull(),
    args: text('args').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    /** The server's row at rejection time (JSON), when a row was involved. */
    current: text('current'),
    entityTable: text('entity_table'),
    entityId: text('entity_id'),
    /** A change that waits behind another conflict (made on top of the refused change): that conflict's id. */
    blockedBy: integer('blocked_by'),
    createdAt: text('created_at').notNull(),
    resolvedAt: text('resolved_at'),
    resolution: text('resolution'),
  },
  (t) => [
    index('conflict_open_idx')
      .on(t.entityId)
      .where(sql`resolved_at IS NULL`),
  ],
);

/**
 * The server's version of each row an optimistic change has touched (src/main/sync/serverBase.ts,
 * its only reader and writer), kept until the server sends that row again. `row` is the server's
 * row as JSON; NULL when the server has no such row.
 */
export const serverBase = sqliteTable(
  'server_base',
  {
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    row: text('row'),
  },
  (t) => [primaryKey({ columns: [t.tableName, t.rowId] })],
);

/**
 * Champion rows a pull deleted while a pending change or a conflict still named them, by owner
 * (src/main/sync/forgetMember.ts, its only reader and writer): ids only, dropped when a pull completes.
 */
export const goneChampion = sqliteTable(
  'gone_champion',
  {
    userId: text('user_id').notNull(),
    championId: text('champion_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.championId] })],
);

/** Members who left this laptop's scope: id and when only (src/main/sync/scopeEviction.ts, its only reader and writer). */
export const scopeLeft = sqliteTable('scope_left', {
  userId: text('user_id').primaryKey(),
  leftAt: text('left_at').notNull(),
  closedConflicts: integer('closed_conflicts').notNull().default(0),
});

/**
 * Indexes and member-search triggers a first pull's bulk load dropped, with the DDL that puts
 * them back (src/main/sync/bulkLoad.ts, its only reader and writer).
 */
export const bulkLoadDeferred = sqliteTable('bulk_load_deferred', {
  name: text('name').primaryKey(),
  sql: text('sql').notNull(),
});

/**
 * One row (id = 1) while the member-search triggers are away: members up to `watermark` (rowid)
 * are in the search index (src/main/sync/bulkLoad.ts, its only writer).
 */
export const memberSearchCatchUp = sqliteTable(
  'member_search_catch_up',
  {
    id: integer('id').primaryKey(),
    watermark: integer('watermark').notNull().default(0),
  },
  (t) => [check('member_search_catch_up_singleton', sql`${t.id} = 1`)],
);

/**
 * Insight triggers dropped for a bulk load, with their DDL; while any row is here the insight
 * tables are not to be trusted (src/main/insight/derivedTables.ts, its only reader and writer).
 */
export const insightDeferredTrigger = sqliteTable('insight_deferred_trigger', {
  name: text('name').primaryKey(),
  sql: text('sql').notNull(),
});

/** The coordinator's own settings kept with the data (server URL, signed-in user, at-risk days): nothing the sync engine keeps. */
export const setting = sqliteTable('setting', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Pulled changes this laptop could not store (src/main/sync/pullQuarantine.ts): kept as received,
 * with the reason, so one bad row never stops a pull. One entry per row: a later version of the
 * row replaces it, and removes it when that version applies. Cleared when the mirror starts over
 * (full resync, another server database).
 */
export const pullQuarantine = sqliteTable(
  'pull_quarantine',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    /** The change as received (JSON text). */
    received: text('received').notNull(),
    reason: text('reason').notNull(),
    /** The cursor of the page it came in. */
    pageCursor: text('page_cursor'),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [uniqueIndex('pull_quarantine_row_unique').on(t.tableName, t.rowId)],
);

/**
 * Things the coordinator must be told that happened without them (a member's data removed after
 * an erasure or a scope change, this laptop's data wiped): shown as a dismissible banner. Never
 * personal data: the text says what happened, not to whom. Repeats of one kind add to `count`.
 */
export const notice = sqliteTable('notice', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  kind: text('kind').notNull(),
  message: text('message').notNull(),
  count: integer('count').notNull().default(1),
  createdAt: text('created_at').notNull(),
  dismissedAt: text('dismissed_at'),
});

/** The six mirrored tables by their declared names (src/shared/model/tables.ts), for code that walks them all. */
export const mirroredTables = {
  user,
  cohort,
  enrollment,
  user_action: userAction,
  champion,
  champion_stage_change: championStageChange,
} as const;
