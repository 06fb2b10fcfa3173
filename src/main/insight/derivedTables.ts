import type Database from 'better-sqlite3';

// The cohort-insight tables (drizzle/client/0003_insight_derived_tables.sql, docs/insight.md) are
// kept exact by triggers on user_action and enrollment. A first pull writes a million actions:
// with the triggers in place each would cost three more b-tree writes, so, like the time-led
// indexes (src/main/sync/bulkLoad.ts), the triggers are dropped when a pull starts into an empty
// user_action table and the tables are rebuilt in one pass when it ends (~1.3 s for the large
// set, four GROUP BYs), in the same transaction that puts the triggers back: no write can fall
// between the rebuild and the triggers. Until then the screens say the figures are not ready.

export const INSIGHT_TRIGGERS = [
  'insight_action_insert',
  'insight_action_delete',
  'insight_action_update',
  'insight_week_insert',
  'insight_week_update',
  'insight_week_delete',
  'insight_enrollment_insert',
  'insight_enrollment_delete',
  'insight_enrollment_update',
  'insight_row_derive',
  'insight_row_insert',
  'insight_row_delete',
  'insight_row_update',
] as const;

/** The week number of an ISO timestamp in SQL: weeks start on Mondays (UTC), week w on day 7w - 3 after 1970-01-01. */
const weekSql = (col: string): string => `coalesce((unixepoch(${col}) / 86400 + 3) / 7, 0)`;

// The deferral is kept in `insight_deferred_trigger` (this module's alone): while it has a row,
// the tables are not to be trusted.

/** The tables from scratch, as the migration first filled them (same statements). insight_enrollment goes in
 * key order, so its primary key and its per-cohort indexes grow at their ends instead of in random places. */
const REBUILD_SQL = [
  'DELETE FROM insight_cohort',
  'DELETE FROM insight_cohort_week',
  'DELETE FROM insight_enrollment',
  'DELETE FROM insight_enrollment_week',
  `INSERT INTO insight_enrollment_week (enrollment_id, user_id, week, actions, course_done, last_at)
   SELECT enrollment_id, user_id, ${weekSql('occurred_at')}, count(*), sum(action_type = 'completed_course'), max(occurred_at)
   FROM user_action WHERE enrollment_id IS NOT NULL GROUP BY 1, 2, 3`,
  `INSERT INTO insight_enrollment (cohort_key, enrollment_id, user_id, status, enrolled_at, actions, course_done, last_at, open, quiet_since)
   SELECT coalesce(e.cohort_id, ''), e.id, e.user_id, e.status, e.enrolled_at, coalesce(w.actions, 0), coalesce(w.course_done, 0), w.last_at,
     e.status = 'active' AND coalesce(w.course_done, 0) = 0, max(coalesce(w.last_at, ''), e.enrolled_at)
   FROM enrollment e LEFT JOIN (
     SELECT enrollment_id, user_id, sum(actions) AS actions, sum(course_done) AS course_done, max(last_at) AS last_at
     FROM insight_enrollment_week GROUP BY 1, 2
   ) w ON w.enrollment_id = e.id AND w.user_id = e.user_id
   ORDER BY 1, 2`,
  `INSERT INTO insight_cohort_week (cohort_id, week, active)
   SELECT e.cohort_key, w.week, count(*)
   FROM insight_enrollment e CROSS JOIN insight_enrollment_week w ON w.enrollment_id = e.enrollment_id AND w.user_id = e.user_id
   WHERE e.cohort_key <> '' GROUP BY 1, 2`,
  `INSERT INTO insight_cohort (cohort_key, enrolled, withdrawn, completed, open)
   SELECT cohort_key, count(*), sum(status = 'withdrawn'), sum(status = 'completed' OR course_done > 0), sum(open)
   FROM insight_enrollment GROUP BY cohort_key`,
];

type Deferred = { name: string; sql: string };

function readDeferred(sqlite: Database.Database): Deferred[] {
  const known: readonly string[] = INSIGHT_TRIGGERS;
  // Only our own triggers' DDL is ever run from here.
  return (sqlite.prepare('SELECT name, sql FROM insight_deferred_trigger ORDER BY rowid').all() as Deferred[]).filter((d) => known.includes(d.name));
}

/**
 * Drop the insight triggers (their DDL kept in `insight_deferred_trigger`, in the caller's transaction) so a bulk
 * load into empty tables pays nothing for them. Returns the names dropped.
 */
export function deferInsightTriggers(sqlite: Database.Database): string[] {
  const present = sqlite
    .prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${INSIGHT_TRIGGERS.map(() => '?').join(', ')})`)
    .all(...INSIGHT_TRIGGERS) as Deferred[];
  if (present.length === 0) return [];
  const keep = sqlite.prepare('INSERT INTO insight_deferred_trigger (name, sql) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET sql = excluded.sql');
  for (const p of present) keep.run(p.name, p.sql);
  for (const p of present) sqlite.exec(`DROP TRIGGER "${p.name}"`);
  return present.map((p) => p.name);
}

/** True while the triggers are away (a first pull is loading): the tables are not to be trusted yet. */
export function insightDeferred(sqlite: Database.Database): boolean {
  return sqlite.prepare('SELECT 1 FROM insight_deferred_trigger LIMIT 1').get() !== undefined;
}

/**
 * One script that rebuilds the tables, puts the triggers back and forgets the deferral, in one
 * IMMEDIATE transaction; idempotent, so running it twice (a worker that failed half way, then
 * the fallback here) is safe. Null when nothing is deferred.
 */
export function insightRestoreScript(sqlite: Database.Database): string | null {
  if (!insightDeferred(sqlite)) return null;
  const triggers = readDeferred(sqlite).map((d) => `${d.sql.replace(/^CREATE TRIGGER /i, 'CREATE TRIGGER IF NOT EXISTS ')};`);
  return ['BEGIN IMMEDIATE;', ...REBUILD_SQL.map((s) => `${s};`), ...triggers, 'DELETE FROM insight_deferred_trigger;', 'COMMIT;'].join('\n');
}

/** Rebuild the tables now and put the triggers back, in one transaction (tests, and an install's repair). */
export function rebuildInsight(sqlite: Database.Database): void {
  sqlite
    .transaction(() => {
      deferInsightTriggers(sqlite);
      for (const s of REBUILD_SQL) sqlite.exec(s);
      for (const d of readDeferred(sqlite)) sqlite.exec(d.sql);
      sqlite.prepare('DELETE FROM insight_deferred_trigger').run();
    })
    .immediate();
}
