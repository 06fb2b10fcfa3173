import type Database from 'better-sqlite3';

// The insight tables computed from nothing but user_action and enrollment, in JavaScript, by the
// definitions of docs/insight.md: what the triggers and the bulk rebuild must always equal. Tests
// compare every row of all four tables with these.

export interface DerivedRows {
  enrollmentWeek: { enrollment_id: string; user_id: string; week: number; actions: number; course_done: number; last_at: string }[];
  enrollment: {
    enrollment_id: string;
    user_id: string;
    cohort_id: string | null;
    status: string;
    enrolled_at: string;
    actions: number;
    course_done: number;
    last_at: string | null;
    /** Active and the course not completed: can be at risk. */
    open: number;
    /** The later of the last action and the enrollment. */
    quiet_since: string;
  }[];
  cohortWeek: { cohort_id: string; week: number; active: number }[];
  /** Per cohort ('' for enrollments without one). */
  cohort: { cohort_key: string; enrolled: number; withdrawn: number; completed: number; open: number }[];
}

/** Monday-based UTC week number, as SQLite's `(unixepoch(t) / 86400 + 3) / 7` computes it for timestamps after 1970. */
function weekOf(iso: string): number {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Math.floor((Math.floor(seconds / 86400) + 3) / 7);
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function derivedFromScratch(sqlite: Database.Database): DerivedRows {
  const actions = sqlite.prepare('SELECT user_id, enrollment_id, action_type, occurred_at FROM user_action').all() as {
    user_id: string;
    enrollment_id: string | null;
    action_type: string;
    occurred_at: string;
  }[];
  const enrollments = sqlite.prepare('SELECT id, user_id, cohort_id, status, enrolled_at FROM enrollment').all() as {
    id: string;
    user_id: string;
    cohort_id: string | null;
    status: string;
    enrolled_at: string;
  }[];

  const weeks = new Map<string, DerivedRows['enrollmentWeek'][number]>();
  for (const a of actions) {
    if (a.enrollment_id === null) continue;
    const week = weekOf(a.occurred_at);
    const key = JSON.stringify([a.enrollment_id, a.user_id, week]);
    const row = weeks.get(key) ?? { enrollment_id: a.enrollment_id, user_id: a.user_id, week, actions: 0, course_done: 0, last_at: '' };
    row.actions++;
    if (a.action_type === 'completed_course') row.course_done++;
    if (a.occurred_at > row.last_at) row.last_at = a.occurred_at;
    weeks.set(key, row);
  }
  const enrollmentWeek = [...weeks.values()].sort(
    (x, y) => byKey(x.enrollment_id, y.enrollment_id) || byKey(x.user_id, y.user_id) || x.week - y.week,
  );

  const weeksOf = new Map<string, DerivedRows['enrollmentWeek']>();
  for (const w of enrollmentWeek) {
    const key = JSON.stringify([w.enrollment_id, w.user_id]);
    weeksOf.set(key, [...(weeksOf.get(key) ?? []), w]);
  }
  const enrollment: DerivedRows['enrollment'] = enrollments
    .map((e) => {
      const mine = weeksOf.get(JSON.stringify([e.id, e.user_id])) ?? [];
      const courseDone = mine.reduce((s, w) => s + w.course_done, 0);
      const lastAt = mine.length === 0 ? null : mine.reduce((m, w) => (w.last_at > m ? w.last_at : m), '');
      return {
        enrollment_id: e.id,
        user_id: e.user_id,
        cohort_id: e.cohort_id,
        status: e.status,
        enrolled_at: e.enrolled_at,
        actions: mine.reduce((s, w) => s + w.actions, 0),
        course_done: courseDone,
        last_at: lastAt,
        open: e.status === 'active' && courseDone === 0 ? 1 : 0,
        quiet_since: (lastAt ?? '') > e.enrolled_at ? lastAt! : e.enrolled_at,
      };
    })
    .sort((x, y) => byKey(x.enrollment_id, y.enrollment_id));

  const cohortWeeks = new Map<string, DerivedRows['cohortWeek'][number]>();
  for (const e of enrollment) {
    if (e.cohort_id === null) continue;
    for (const w of weeksOf.get(JSON.stringify([e.enrollment_id, e.user_id])) ?? []) {
      const key = JSON.stringify([e.cohort_id, w.week]);
      const row = cohortWeeks.get(key) ?? { cohort_id: e.cohort_id, week: w.week, active: 0 };
      row.active++;
      cohortWeeks.set(key, row);
    }
  }
  const cohortWeek = [...cohortWeeks.values()].sort((x, y) => byKey(x.cohort_id, y.cohort_id) || x.week - y.week);

  const cohorts = new Map<string, DerivedRows['cohort'][number]>();
  for (const e of enrollment) {
    const key = e.cohort_id ?? '';
    const row = cohorts.get(key) ?? { cohort_key: key, enrolled: 0, withdrawn: 0, completed: 0, open: 0 };
    row.enrolled++;
    if (e.status === 'withdrawn') row.withdrawn++;
    if (e.status === 'completed' || e.course_done > 0) row.completed++;
    if (e.status === 'active' && e.course_done === 0) row.open++;
    cohorts.set(key, row);
  }
  const cohort = [...cohorts.values()].sort((x, y) => byKey(x.cohort_key, y.cohort_key));
  return { enrollmentWeek, enrollment, cohortWeek, cohort };
}

/** The three tables as the database holds them, in the same order as derivedFromScratch. */
export function derivedAsStored(sqlite: Database.Database): DerivedRows {
  return {
    enrollmentWeek: sqlite
      .prepare(
        'SELECT enrollment_id, user_id, week, actions, course_done, last_at FROM insight_enrollment_week ORDER BY enrollment_id, user_id, week',
      )
      .all() as DerivedRows['enrollmentWeek'],
    enrollment: sqlite
      .prepare(
        `SELECT enrollment_id, user_id, nullif(cohort_key, '') AS cohort_id, status, enrolled_at, actions, course_done, last_at, open, quiet_since
         FROM insight_enrollment ORDER BY enrollment_id`,
      )
      .all() as DerivedRows['enrollment'],
    cohortWeek: sqlite.prepare('SELECT cohort_id, week, active FROM insight_cohort_week ORDER BY cohort_id, week').all() as DerivedRows['cohortWeek'],
    cohort: sqlite
      .prepare('SELECT cohort_key, enrolled, withdrawn, completed, open FROM insight_cohort ORDER BY cohort_key')
      .all() as DerivedRows['cohort'],
  };
}
