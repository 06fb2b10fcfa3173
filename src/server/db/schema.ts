import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { INGEST_KEY_SOURCES, ROLES } from '../../shared/enums.js';
import { enumChecks, inList as inListSql, storableChecks } from '../../shared/model/checks.js';
import type { SyncTableName } from '../../shared/model/tables.js';
import { pgColumns, pgPartialUniques, ts } from './declaredColumns.js';

// The central database (PostgreSQL / PGlite). Table and column names mirror docs/architecture.md ("Domain rules") so
// rows travel on the wire under their own column names.
//
// Every table that syncs carries `seq`: a trigger (custom migration) stamps it from
// `change_seq` on every INSERT/UPDATE while holding the writers' advisory lock, and a
// delete leaves a tombstone with its own seq. Pull pages by seq (see pullPage.ts).
//
// The six synced tables' declared columns are derived from the one declaration
// (src/shared/model/tables.ts, via declaredColumns.ts); only the server-only `seq` and `wire`, the
// foreign keys, indexes and CHECKs are spelled here. `champion.stage_version` is bumped by every
// stage move (and by a trigger for any other stage write): a move's baseVersion is checked against it.

const inList = (col: string, values: readonly string[]) => sql.raw(inListSql('pg', col, values));
const seqCol = () => bigint('seq', { mode: 'bigint' }).notNull();
// The row's wire JSON as compact text, kept by a BEFORE INSERT OR UPDATE trigger (migration
// 0002_wire_json) so a pull page splices stored text instead of building JSON per row per page.
// Server-internal: never sent as a column of its own (wire rows list their columns explicitly).
const wireCol = () => text('wire').notNull();

/** The table's enum and storable CHECKs, derived from its declaration (src/shared/model). */
const declaredChecks = (table: SyncTableName) => [...enumChecks(table, 'pg'), ...storableChecks(table)].map((c) => check(c.name, sql.raw(c.sql)));

/** One sequence for all synced tables and tombstones: a single total order of changes. */
export const changeSeq = pgSequence('change_seq', { startWith: 1, increment: 1 });

export const user = pgTable(
  'user',
  {
    ...pgColumns('user'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [
    // Containment keeps every element inside the role enum, which a plain CHECK on text cannot say for an array.
    check('user_roles_array', sql`jsonb_typeof(${t.roles}) = 'array' AND ${t.roles} <@ '${sql.raw(JSON.stringify(ROLES))}'::jsonb`),
    // Login looks members up by email, case-insensitively; two accounts must not share one.
    uniqueIndex('user_email_unique').on(sql`lower(${t.email})`),
    ...declaredChecks('user'),
    index('user_seq_idx').on(t.seq),
  ],
);

export const cohort = pgTable(
  'cohort',
  {
    ...pgColumns('cohort'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [...declaredChecks('cohort'), index('cohort_seq_idx').on(t.seq)],
);

export const enrollment = pgTable(
  'enrollment',
  {
    ...pgColumns('enrollment'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [
    ...declaredChecks('enrollment'),
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'enrollment_user_fk' }),
    foreignKey({ columns: [t.cohortId], foreignColumns: [cohort.id], name: 'enrollment_cohort_fk' }),
    index('enrollment_user_idx').on(t.userId),
    // Widening a coordinator's scope finds the cohorts' members (scope_member triggers, migration 0005).
    index('enrollment_cohort_idx').on(t.cohortId),
    index('enrollment_seq_idx').on(t.seq),
  ],
);

export const userAction = pgTable(
  'user_action',
  {
    ...pgColumns('user_action'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [
    ...declaredChecks('user_action'),
    check('user_action_metadata_object', sql`jsonb_typeof(${t.metadata}) = 'object'`),
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'user_action_user_fk' }),
    foreignKey({ columns: [t.enrollmentId], foreignColumns: [enrollment.id], name: 'user_action_enrollment_fk' }),
    ...pgPartialUniques('user_action', t),
    index('user_action_user_time_idx').on(t.userId, t.occurredAt),
    index('user_action_seq_idx').on(t.seq),
  ],
);

export const champion = pgTable(
  'champion',
  {
    ...pgColumns('champion'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [
    ...declaredChecks('champion'),
    check('champion_stage_version_positive', sql`${t.stageVersion} > 0`),
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'champion_user_fk' }),
    foreignKey({ columns: [t.cohortId], foreignColumns: [cohort.id], name: 'champion_cohort_fk' }),
    ...pgPartialUniques('champion', t),
    index('champion_seq_idx').on(t.seq),
  ],
);

export const championStageChange = pgTable(
  'champion_stage_change',
  {
    ...pgColumns('champion_stage_change'),
    seq: seqCol(),
    wire: wireCol(),
  },
  (t) => [
    ...declaredChecks('champion_stage_change'),
    foreignKey({ columns: [t.championId], foreignColumns: [champion.id], name: 'csc_champion_fk' }),
    index('csc_champion_idx').on(t.championId),
    index('csc_seq_idx').on(t.seq),
  ],
);

// ---- server-only tables (never pulled) ----

/**
 * Password hashes as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): the algorithm and its
 * parameters travel with each hash, so a hash made at an older cost still verifies and is
 * replaced at that user's next successful login (auth/passwords.ts). Migration 0003 turned the
 * older scrypt salt/hash pairs into `$scrypt$ln=14,r=8,p=1$…` strings.
 */
export const credential = pgTable(
  'credential',
  {
    userId: text('user_id').primaryKey(),
    hash: text('hash').notNull(),
  },
  (t) => [
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'credential_user_fk' }).onDelete('cascade'),
    check('credential_hash_phc', sql`${t.hash} LIKE '$%$%'`),
  ],
);

/**
 * Upstream systems' credentials for `POST /v1/ingest/actions` (docs/protocol.md): only the
 * sha256 of each secret is kept (the secrets are 256-bit random, so a fast hash is enough), each
 * key bound to one `source_system`, or `platform` for any. Created, listed and revoked with
 * `npm run server -- keys …`; a revoked key stays listed, with when.
 */
export const ingestKey = pgTable(
  'ingest_key',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    secretHash: text('secret_hash').notNull(),
    label: text('label'),
    createdAt: ts('created_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('ingest_key_secret_hash_unique').on(t.secretHash), check('ingest_key_source', inList('source', INGEST_KEY_SOURCES))],
);

/** Bearer tokens, stored only as sha256 so a database leak does not leak live sessions. */
export const session = pgTable(
  'session',
  {
    tokenHash: text('token_hash').primaryKey(),
    /** A public handle for listing and revoking a session: the token hash itself is never sent. */
    id: uuid('id')
      .notNull()
      .default(sql`gen_random_uuid()`),
    userId: text('user_id').notNull(),
    /** The install that signed in (LoginRequest.clientId), when it said; revoking that device ends this session. */
    clientId: uuid('client_id'),
    createdAt: ts('created_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    /** Idle timeout: a session unused for SESSION_IDLE_DAYS ends even before expires_at. */
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    /** Revoked sessions stay until they expire, so their next contact is told session_revoked instead of a bare 401. */
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'session_user_fk' }).onDelete('cascade'),
    index('session_expires_idx').on(t.expiresAt),
    uniqueIndex('session_id_unique').on(t.id),
    index('session_user_idx').on(t.userId),
  ],
);

/**
 * Each install (clientId) a user has signed in from: listed to the user and to superadmins, and
 * revocable. A revoked device's next contact gets 401 device_revoked and its laptop wipes its data.
 */
export const device = pgTable(
  'device',
  {
    clientId: uuid('client_id').primaryKey(),
    userId: text('user_id').notNull(),
    name: text('name'),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [
    foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'device_user_fk' }).onDelete('cascade'),
    index('device_user_idx').on(t.userId),
  ],
);

/**
 * Who erased which member, when (and how many rows went, per table): ids and counts only, no
 * personal data, so the log itself never needs erasing. `erased_by` has no foreign key: the log
 * outlives the superadmin who did it.
 */
export const erasureLog = pgTable(
  'erasure_log',
  {
    id: uuid('id')
      .primaryKey()
      .default(sql`gen_random_uuid()`),
    userId: text('user_id').notNull(),
    erasedBy: text('erased_by').notNull(),
    erasedAt: ts('erased_at').notNull().defaultNow(),
    removed: jsonb('removed')
      .$type<Record<string, number>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [index('erasure_log_erased_at_idx').on(t.erasedAt)],
);

/** Per-install push state: who owns the clientId and the last mutation applied for it. */
export const syncClient = pgTable(
  'sync_client',
  {
    clientId: uuid('client_id').primaryKey(),
    userId: text('user_id').notNull(),
    lastMutationId: bigint('last_mutation_id', { mode: 'number' }).notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'sync_client_user_fk' }).onDelete('cascade')],
);

/**
 * Failed logins, kept in the database rather than in memory because the server is stateless
 * behind a load balancer: every instance must see the same count. One row per (account,
 * client address) pair, per account (`address` = '') and per address (`email_key` = ''), so
 * the three limits of auth/loginThrottle.ts share one table and one upsert shape.
 */
export const loginFailure = pgTable(
  'login_failure',
  {
    emailKey: text('email_key').notNull(),
    address: text('address').notNull().default(''),
    failures: integer('failures').notNull(),
    lastFailedAt: ts('last_failed_at').notNull(),
    blockedUntil: ts('blocked_until'),
  },
  (t) => [primaryKey({ columns: [t.emailKey, t.address], name: 'login_failure_pk' }), index('login_failure_last_failed_idx').on(t.lastFailedAt)],
);

/** Deleted synced rows, so that clients learn of deletes. Pruned after a retention period. */
export const tombstone = pgTable(
  'tombstone',
  {
    seq: bigint('seq', { mode: 'bigint' }).notNull(),
    tableName: text('table_name').notNull(),
    rowId: text('row_id').notNull(),
    deletedAt: ts('deleted_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.seq], name: 'tombstone_pk' }), index('tombstone_deleted_at_idx').on(t.deletedAt)],
);

/**
 * Single-row bookkeeping. `tombstone_floor`: the highest seq of a pruned tombstone; a
 * cursor below it may have missed a delete, so it must resync from scratch.
 * `database_id`: this database's identity, made once by the migration that added it and kept
 * through restarts, backups and restores; clients bind their mirror, cursor and pending
 * changes to it (docs/protocol.md, "identity of client and server").
 */
export const syncMeta = pgTable(
  'sync_meta',
  {
    id: integer('id').primaryKey(),
    tombstoneFloor: bigint('tombstone_floor', { mode: 'bigint' })
      .notNull()
      .default(sql`0`),
    databaseId: uuid('database_id')
      .notNull()
      .default(sql`gen_random_uuid()`),
  },
  (t) => [check('sync_meta_singleton', sql`${t.id} = 1`)],
);

/**
 * One row per server start (every instance's), taken under the writers' lock: `start_seq` is a
 * change_seq value above every change committed before it and below every later one. A cursor
 * names the epoch it was issued in; a database restored from a backup does not know the epochs
 * that began after the backup, so a cursor from one of them (or one past its epoch's end) is
 * from a future this database never had: resync_required (sync/cursor.ts).
 */
export const syncEpoch = pgTable('sync_epoch', {
  id: uuid('id')
    .primaryKey()
    .default(sql`gen_random_uuid()`),
  startSeq: bigint('start_seq', { mode: 'bigint' }).notNull().unique('sync_epoch_start_seq_unique'),
  startedAt: ts('started_at').notNull().defaultNow(),
});

/**
 * What server migration 0005_storable did to rows stored before the storable-value CHECKs: one
 * row per repaired or removed value (which table and row, what was done, when). Never the old
 * value: it may be personal data, and it was unstorable anyway.
 */
export const storableRepair = pgTable('storable_repair', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  tableName: text('table_name').notNull(),
  rowId: text('row_id').notNull(),
  action: text('action').notNull(),
  repairedAt: ts('repaired_at').notNull().defaultNow(),
});

/**
 * Each pushed mutation's outcome, per client, until the client acknowledges it (a later push's
 * `ack`) or it is older than the retention period: a resend of the same mutation (same id and
 * fingerprint, the sha256 of its name and canonical args) gets this answer again; the same id
 * with another fingerprint means the client's history diverged (docs/protocol.md).
 */
export const syncOutcome = pgTable(
  'sync_outcome',
  {
    clientId: uuid('client_id').notNull(),
    mutationId: bigint('mutation_id', { mode: 'number' }).notNull(),
    fingerprint: text('fingerprint').notNull(),
    /** The mutation's result as it was sent (without its id). */
    result: jsonb('result').$type<Record<string, unknown>>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.clientId, t.mutationId], name: 'sync_outcome_pk' }),
    foreignKey({ columns: [t.clientId], foreignColumns: [syncClient.clientId], name: 'sync_outcome_client_fk' }).onDelete('cascade'),
    index('sync_outcome_created_idx').on(t.createdAt),
  ],
);

// ---- scoped sync (issue 13; docs/protocol.md, "Scopes") ----

/**
 * A coordinator's scope: `all`, or the cohorts in coordinator_scope_cohort. A coordinator with
 * no row here holds no members (least privilege); a superadmin is `all` whatever this says.
 */
export const coordinatorScope = pgTable(
  'coordinator_scope',
  {
    userId: text('user_id').primaryKey(),
    all: boolean('all').notNull().default(false),
  },
  (t) => [foreignKey({ columns: [t.userId], foreignColumns: [user.id], name: 'coordinator_scope_user_fk' }).onDelete('cascade')],
);

export const coordinatorScopeCohort = pgTable(
  'coordinator_scope_cohort',
  {
    userId: text('user_id').notNull(),
    cohortId: text('cohort_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.cohortId], name: 'coordinator_scope_cohort_pk' }),
    foreignKey({ columns: [t.userId], foreignColumns: [coordinatorScope.userId], name: 'coordinator_scope_cohort_scope_fk' }).onDelete('cascade'),
    foreignKey({ columns: [t.cohortId], foreignColumns: [cohort.id], name: 'coordinator_scope_cohort_cohort_fk' }),
    index('coordinator_scope_cohort_cohort_idx').on(t.cohortId),
  ],
);

/**
 * The members each cohort-scoped coordinator holds now, kept exact by triggers (migration 0005)
 * on enrollment, champion and the two scope tables. No foreign keys: an erased member's rows go
 * in the same transaction, and the triggers remove the pair as they go.
 */
export const scopeMember = pgTable(
  'scope_member',
  {
    coordinatorId: text('coordinator_id').notNull(),
    memberId: text('member_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.coordinatorId, t.memberId], name: 'scope_member_pk' }), index('scope_member_member_idx').on(t.memberId)],
);

/**
 * Every entry to and exit from scope_member, with a seq from change_seq taken under the writers'
 * lock: scope changes are events in the same order as row changes, so a pull page interleaves
 * them (enter: the member's whole record; leave: forget them). Pruned with the tombstones.
 */
export const scopeEvent = pgTable(
  'scope_event',
  {
    seq: bigint('seq', { mode: 'bigint' }).notNull(),
    coordinatorId: text('coordinator_id').notNull(),
    memberId: text('member_id').notNull(),
    kind: text('kind').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.seq], name: 'scope_event_pk' }),
    check('scope_event_kind', inList('kind', ['enter', 'leave'])),
    index('scope_event_coordinator_seq_idx').on(t.coordinatorId, t.seq),
    index('scope_event_created_idx').on(t.createdAt),
  ],
);

/**
 * How many rows of each member a scoped expansion page carries besides their user row
 * (enrollments, actions, champion rows and those rows' history), kept exact by triggers
 * (migration 0008): a first scoped sync sizes each page by summing these instead of counting
 * every candidate's index entries, which was a quarter of a page's cost (src/server/sync/scopedPull.ts).
 */
export const memberRowCount = pgTable('member_row_count', {
  memberId: text('member_id').primaryKey(),
  n: bigint('n', { mode: 'number' }).notNull(),
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
