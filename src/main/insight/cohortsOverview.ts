import type Database from 'better-sqlite3';
import { ACTIVE_WINDOW_DAYS, type CohortsOverview } from '../../shared/insight.js';
import type { CohortRow } from '../../shared/rows.js';
import { cachedStatement } from '../db/statementCache.js';
import { insightDeferred } from './derivedTables.js';
import { daysBefore, runWeeks, weekStart } from './weeks.js';

// The Cohorts screen: every cohort with its counts and a weekly-active sparkline, from the
// derived tables, never from the action log itself. Definitions: docs/insight.md. What does not
// depend on "now" is kept per cohort (insight_cohort); what does is counted from the recent end of
// two indexes of insight_enrollment, so the cost follows recent activity, not the enrollments held.

const COHORTS_SQL = 'SELECT id, name, starts_at, ends_at, status, created_at FROM cohort ORDER BY name, id';

const COUNTS_SQL = 'SELECT cohort_key AS cohortId, enrolled, withdrawn, completed, open FROM insight_cohort';
// Per cohort, two counts of the recent end of its index ranges. "At risk" = open and quiet since
// (the later of last action and enrollment) at least N days ago: the open ones minus those quiet
// for less. The cohort's start, the same for all its rows, is applied after.
const RECENT_SQL = `
  SELECT c.id AS cohortId,
    (SELECT count(*) FROM insight_enrollment WHERE cohort_key = c.id AND last_at > @activeSince) AS active,
    (SELECT count(*) FROM insight_enrollment WHERE cohort_key = c.id AND open = 1 AND quiet_since > @quietBefore) AS notQuiet
  FROM cohort c`;
const WEEKS_SQL = 'SELECT cohort_id AS cohortId, week, active FROM insight_cohort_week';

interface Counts {
  cohortId: string;
  enrolled: number;
  withdrawn: number;
  completed: number;
  open: number;
}

export function cohortsOverview(sqlite: Database.Database, opts: { now: Date; atRiskDays: number }): CohortsOverview {
  const { now, atRiskDays } = opts;
  const quietBefore = daysBefore(now, atRiskDays);
  return sqlite.transaction(() => {
    const cohorts = cachedStatement(sqlite, COHORTS_SQL).all() as CohortRow[];
    const counts = new Map((cachedStatement(sqlite, COUNTS_SQL).all() as Counts[]).map((c) => [c.cohortId, c]));
    const recent = new Map(
      (
        cachedStatement(sqlite, RECENT_SQL).all({ activeSince: daysBefore(now, ACTIVE_WINDOW_DAYS), quietBefore }) as {
          cohortId: string;
          active: number;
          notQuiet: number;
        }[]
      ).map((r) => [r.cohortId, r]),
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
    return {
      ready: !insightDeferred(sqlite),
      now: now.toISOString(),
      atRiskDays,
      selfPaced: counts.get('')?.enrolled ?? 0,
      cohorts: cohorts.map((cohort) => {
        const c = counts.get(cohort.id);
        const started = cohort.starts_at === null || cohort.starts_at <= quietBefore;
        const run = runWeeks(cohort, now, span.get(cohort.id) ?? null);
        const perWeek = weeks.get(cohort.id);
        const weekly: { week: string; active: number }[] = [];
        if (run) for (let w = run.from; w <= run.to; w++) weekly.push({ week: weekStart(w), active: perWeek?.get(w) ?? 0 });
        return {
          cohort,
          enrolled: c?.enrolled ?? 0,
          withdrawn: c?.withdrawn ?? 0,
          completed: c?.completed ?? 0,
          active: recent.get(cohort.id)?.active ?? 0,
          atRisk: started && c ? c.open - (recent.get(cohort.id)?.notQuiet ?? 0) : 0,
          weekly,
        };
      }),
    };
  })();
}
