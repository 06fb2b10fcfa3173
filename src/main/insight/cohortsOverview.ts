import type Database from 'better-sqlite3';
import { ACTIVE_WINDOW_DAYS, type CohortsOverview } from '../../shared/insight.js';
import type { CohortRow } from '../../shared/rows.js';
import { cachedStatement } from '../db/statementCache.js';
import { insightDeferred } from './derivedTables.js';
import { daysBefore, runWeeks, weekStart } from './weeks.js';

// The Cohorts screen: every cohort with its counts and a weekly-active sparkline, from the
// derived tables (one row per enrollment, one per cohort-week), never from the action log itself.
// Definitions: docs/insight.md.

const COHORTS_SQL = 'SELECT id, name, starts_at, ends_at, status, created_at FROM cohort ORDER BY name, id';

// One pass over the enrollments. "At risk" is quiet since the latest of last action, enrollment
// and the cohort's start; the cohort's start is the same for all its rows, so it is applied after.
const COUNTS_SQL = `
  SELECT cohort_key AS cohortId,
    count(*) AS enrolled,
    sum(status = 'withdrawn') AS withdrawn,
    sum(status = 'completed' OR course_done > 0) AS completed,
    sum(last_at > @activeSince) AS active,
    sum(status = 'active' AND course_done = 0 AND coalesce(last_at, '') <= @quietBefore AND enrolled_at <= @quietBefore) AS quiet
  FROM insight_enrollment WHERE cohort_key > '' GROUP BY cohort_key`;

const WEEKS_SQL = 'SELECT cohort_id AS cohortId, week, active FROM insight_cohort_week';
const SELF_PACED_SQL = "SELECT count(*) AS n FROM insight_enrollment WHERE cohort_key = ''";

interface Counts {
  cohortId: string;
  enrolled: number;
  withdrawn: number;
  completed: number;
  active: number;
  quiet: number;
}

export function cohortsOverview(sqlite: Database.Database, opts: { now: Date; atRiskDays: number }): CohortsOverview {
  const { now, atRiskDays } = opts;
  const quietBefore = daysBefore(now, atRiskDays);
  return sqlite.transaction(() => {
    const cohorts = cachedStatement(sqlite, COHORTS_SQL).all() as CohortRow[];
    const counts = new Map(
      (cachedStatement(sqlite, COUNTS_SQL).all({ activeSince: daysBefore(now, ACTIVE_WINDOW_DAYS), quietBefore }) as Counts[]).map((c) => [c.cohortId, c]),
    );
    const weeks = new Map<string, Map<number, number>>();
    const span = new Map<string, { from: number; to: number }>();
    for (const w of cachedStatement(sqlite, WEEKS_SQL).all() as { cohortId: string; week: number; active: number }[]) {
      let m = weeks.get(w.cohortId);
      if (!m) weeks.set(w.cohortId, (m = new Map()));
      m.set(w.week, w.active);
      const s = span.get(w.cohortId);
      span.set(w.cohortId, s ? { from: Math.min(s.from, w.week), to: Math.max(s.to, w.week) } : { from: w.week, to: w.week });
    }
    const selfPaced = (cachedStatement(sqlite, SELF_PACED_SQL).get() as { n: number }).n;
    return {
      ready: !insightDeferred(sqlite),
      now: now.toISOString(),
      atRiskDays,
      selfPaced,
      cohorts: cohorts.map((cohort) => {
        const c = counts.get(cohort.id);
        const started = cohort.starts_at === null || cohort.starts_at <= quietBefore;
        const run = runWeeks(cohort, now, span.get(cohort.id) ?? null);
        const active = weeks.get(cohort.id);
        const weekly: { week: string; active: number }[] = [];
        if (run) for (let w = run.from; w <= run.to; w++) weekly.push({ week: weekStart(w), active: active?.get(w) ?? 0 });
        return {
          cohort,
          enrolled: c?.enrolled ?? 0,
          withdrawn: c?.withdrawn ?? 0,
          completed: c?.completed ?? 0,
          active: c?.active ?? 0,
          atRisk: started ? (c?.quiet ?? 0) : 0,
          weekly,
        };
      }),
    };
  })();
}
