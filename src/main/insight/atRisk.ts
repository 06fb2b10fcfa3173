import type Database from 'better-sqlite3';
import type { AtRiskList, AtRiskMember } from '../../shared/insight.js';
import { cachedStatement } from '../db/statementCache.js';
import { csvLine } from '../db/queries/csv.js';
import { insightDeferred } from './derivedTables.js';
import { daysBefore, wholeDaysBetween } from './weeks.js';

// Members at risk in one cohort (docs/insight.md): an active enrollment, the course not
// completed, and no action linked to it for N days, counted from the latest of its last
// action, its enrollment and the cohort's start. Longest silence first.

const AT_RISK_SQL = `
  SELECT i.enrollment_id AS enrollmentId, i.user_id AS userId, u.name AS name, u.email AS email,
    i.enrolled_at AS enrolledAt, i.last_at AS lastActiveAt,
    max(i.quiet_since, coalesce(c.starts_at, '')) AS quietSince
  FROM insight_enrollment i JOIN cohort c ON c.id = i.cohort_key LEFT JOIN user u ON u.id = i.user_id
  WHERE i.cohort_key = @cohortId AND i.open = 1 AND i.quiet_since <= @quietBefore AND coalesce(c.starts_at, '') <= @quietBefore
  ORDER BY quietSince, u.name, i.enrollment_id`;

const COHORT_NAME_SQL = 'SELECT name FROM cohort WHERE id = ?';

export function atRiskMembers(sqlite: Database.Database, cohortId: string, opts: { now: Date; days: number }): AtRiskList | null {
  return sqlite.transaction(() => {
    if (!cachedStatement(sqlite, COHORT_NAME_SQL).get(cohortId)) return null;
    const rows = cachedStatement(sqlite, AT_RISK_SQL).all({ cohortId, quietBefore: daysBefore(opts.now, opts.days) }) as Omit<
      AtRiskMember,
      'quietDays'
    >[];
    return {
      ready: !insightDeferred(sqlite),
      now: opts.now.toISOString(),
      days: opts.days,
      members: rows.map((r) => ({ ...r, quietDays: wholeDaysBetween(r.quietSince, opts.now) })),
    };
  })();
}

/** The same list as a spreadsheet, with a file name that says which cohort, which rule and when. */
export function atRiskCsv(
  sqlite: Database.Database,
  cohortId: string,
  opts: { now: Date; days: number },
): { csv: string; rows: number; filename: string } | null {
  const list = atRiskMembers(sqlite, cohortId, opts);
  if (!list) return null;
  const name = (cachedStatement(sqlite, COHORT_NAME_SQL).get(cohortId) as { name: string }).name;
  let csv = csvLine(['Name', 'Email', 'Enrolled', 'Last action', 'Days without an action', 'Member id', 'Enrollment id']);
  for (const m of list.members) {
    csv += csvLine([m.name, m.email, m.enrolledAt, m.lastActiveAt ?? 'never', String(m.quietDays), m.userId, m.enrollmentId]);
  }
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || cohortId;
  return { csv, rows: list.members.length, filename: `at-risk-${slug}-${opts.days}-days-${opts.now.toISOString().slice(0, 10)}.csv` };
}
