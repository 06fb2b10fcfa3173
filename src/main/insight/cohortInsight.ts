import type Database from 'better-sqlite3';
import { ACTION_TYPES, type ActionType } from '../../shared/enums.js';
import { FORUM_WINDOW_DAYS, SUGGESTIONS_SHOWN, type ChampionSuggestion, type CohortInsight, type CohortMember } from '../../shared/insight.js';
import type { CohortRow, EnrollmentRow } from '../../shared/rows.js';
import { cachedStatement } from '../db/statementCache.js';
import { insightDeferred } from './derivedTables.js';
import { moduleNumber } from './moduleNumber.js';
import { daysBefore, runWeeks, weekOf, weekStart } from './weeks.js';

// One cohort's page: funnel, module progression, weekly activity by type, members, champion
// suggestions. The enrollments come from insight_enrollment (a copy of the cohort's enrollment
// rows with their last action); the rest from one pass over the actions linked to them, read
// through each member's time index. Definitions: docs/insight.md.

const COHORT_SQL = 'SELECT id, name, starts_at, ends_at, status, created_at FROM cohort WHERE id = ?';

const MEMBERS_SQL = `
  SELECT i.enrollment_id AS enrollmentId, i.user_id AS userId, u.name AS name, u.email AS email, i.status AS status,
    i.enrolled_at AS enrolledAt, i.actions AS actions, i.course_done AS courseDone, i.last_at AS lastActiveAt
  FROM insight_enrollment i LEFT JOIN user u ON u.id = i.user_id
  WHERE i.cohort_key = ?`;

// Only what the page needs of each action; the module number is read from metadata here, where
// json_extract is cheap, and only for module actions.
const ACTIONS_SQL = `
  SELECT i.enrollment_id, a.action_type, a.occurred_at,
    CASE WHEN a.action_type IN ('started_module', 'completed_module') THEN json_extract(a.metadata, '$.module') END,
    CASE WHEN a.action_type IN ('started_module', 'completed_module') THEN a.target_type END,
    CASE WHEN a.action_type IN ('started_module', 'completed_module') THEN a.target_id END
  FROM insight_enrollment i JOIN user_action a ON a.user_id = i.user_id AND a.enrollment_id = i.enrollment_id
  WHERE i.cohort_key = ? AND i.actions > 0`;

// Any champion row at all (a cohort's pipeline or the global one, pending ones included).
const IN_PIPELINE_SQL =
  'SELECT DISTINCT user_id AS userId FROM champion WHERE user_id IN (SELECT user_id FROM insight_enrollment WHERE cohort_key = ?)';

type ActionRow = [enrollmentId: string, type: ActionType, at: string, metaModule: unknown, targetType: string | null, targetId: string | null];

interface Progress {
  started: Set<number>;
  completed: Set<number>;
  startedAny: boolean;
  completedAny: boolean;
  threads: number;
  replies: number;
  forumRecent: number;
}

/** Weeks further back than this are left off the chart (a cohort that somehow spans decades). */
const MAX_CHART_WEEKS = 520;

export function cohortInsight(sqlite: Database.Database, cohortId: string, opts: { now: Date }): CohortInsight | null {
  const { now } = opts;
  return sqlite.transaction(() => {
    const cohort = cachedStatement(sqlite, COHORT_SQL).get(cohortId) as CohortRow | undefined;
    if (!cohort) return null;
    const rows = cachedStatement(sqlite, MEMBERS_SQL).all(cohortId) as {
      enrollmentId: string;
      userId: string;
      name: string | null;
      email: string | null;
      status: EnrollmentRow['status'];
      enrolledAt: string;
      actions: number;
      courseDone: number;
      lastActiveAt: string | null;
    }[];
    const progress = new Map<string, Progress>(
      rows.map((r) => [
        r.enrollmentId,
        { started: new Set(), completed: new Set(), startedAny: false, completedAny: false, threads: 0, replies: 0, forumRecent: 0 },
      ]),
    );
    const forumSince = daysBefore(now, FORUM_WINDOW_DAYS);
    const byWeek = new Map<number, Record<ActionType, number>>();
    let unnumbered = 0;
    for (const [enrollmentId, type, at, metaModule, targetType, targetId] of cachedStatement(sqlite, ACTIONS_SQL)
      .raw()
      .all(cohortId) as ActionRow[]) {
      const p = progress.get(enrollmentId);
      if (!p) continue;
      const week = weekOf(at);
      let counts = byWeek.get(week);
      if (!counts) byWeek.set(week, (counts = emptyCounts()));
      counts[type]++;
      if (type === 'started_module' || type === 'completed_module') {
        const n = moduleNumber(metaModule, targetType, targetId);
        if (n === null) unnumbered++;
        p.startedAny = true;
        if (type === 'started_module') {
          if (n !== null) p.started.add(n);
        } else {
          p.completedAny = true;
          if (n !== null) {
            p.completed.add(n);
            // Completing a module means it was started, whether or not a start was recorded.
            p.started.add(n);
          }
        }
      } else if (type === 'posted_thread' || type === 'posted_reply') {
        if (type === 'posted_thread') p.threads++;
        else p.replies++;
        if (at > forumSince) p.forumRecent++;
      }
    }

    const members: CohortMember[] = rows.map((r) => {
      const p = progress.get(r.enrollmentId)!;
      return {
        enrollmentId: r.enrollmentId,
        userId: r.userId,
        name: r.name,
        email: r.email,
        status: r.status,
        enrolledAt: r.enrolledAt,
        modulesCompleted: p.completed.size,
        completedCourse: r.status === 'completed' || r.courseDone > 0,
        lastActiveAt: r.lastActiveAt,
        threads: p.threads,
        replies: p.replies,
        actions: r.actions,
      };
    });

    // The funnel: each step counts enrollments that reached it or a later one.
    let started = 0;
    let completedModule = 0;
    let completedCourse = 0;
    for (const m of members) {
      const p = progress.get(m.enrollmentId)!;
      if (m.completedCourse) completedCourse++;
      if (m.completedCourse || p.completedAny) completedModule++;
      if (m.completedCourse || p.completedAny || p.startedAny) started++;
    }

    const moduleNumbers = new Set<number>();
    for (const p of progress.values()) for (const n of p.started) moduleNumbers.add(n);
    const modules = [...moduleNumbers]
      .sort((a, b) => a - b)
      .map((module) => {
        let s = 0;
        let c = 0;
        for (const p of progress.values()) {
          if (p.started.has(module)) s++;
          if (p.completed.has(module)) c++;
        }
        return { module, started: s, completed: c };
      });

    const activity = byWeek.size > 0 ? { from: Math.min(...byWeek.keys()), to: Math.max(...byWeek.keys()) } : null;
    const run = runWeeks(cohort, now, activity);
    const from = Math.min(run?.from ?? Infinity, activity?.from ?? Infinity);
    const to = Math.max(run?.to ?? -Infinity, activity?.to ?? -Infinity);
    const weeks: CohortInsight['weeks'] = [];
    if (Number.isFinite(from) && Number.isFinite(to)) {
      for (let w = Math.max(from, to - MAX_CHART_WEEKS + 1); w <= to; w++) {
        weeks.push({ week: weekStart(w), counts: byWeek.get(w) ?? emptyCounts(), inRun: run !== null && w >= run.from && w <= run.to });
      }
    }

    const inPipeline = new Set((cachedStatement(sqlite, IN_PIPELINE_SQL).all(cohortId) as { userId: string }[]).map((r) => r.userId));
    const maxModule = modules.length > 0 ? modules[modules.length - 1]!.module : 0;
    const suggestions = suggest(members, progress, inPipeline, maxModule);

    return {
      ready: !insightDeferred(sqlite),
      now: now.toISOString(),
      cohort,
      withdrawn: members.filter((m) => m.status === 'withdrawn').length,
      funnel: [
        { key: 'enrolled' as const, count: members.length },
        { key: 'started' as const, count: started },
        { key: 'completedModule' as const, count: completedModule },
        { key: 'completedCourse' as const, count: completedCourse },
      ],
      modules,
      unnumberedModuleActions: unnumbered,
      weeks,
      members,
      suggestions,
      inPipeline: new Set(members.filter((m) => inPipeline.has(m.userId)).map((m) => m.userId)).size,
    };
  })();
}

function emptyCounts(): Record<ActionType, number> {
  return Object.fromEntries(ACTION_TYPES.map((t) => [t, 0])) as Record<ActionType, number>;
}

/**
 * Members of the cohort (not withdrawn) who are in no pipeline at all, ranked by forum posts in the
 * last FORUM_WINDOW_DAYS, then modules completed, then course completion, then the latest action.
 * A member with neither a recent forum post nor a completed module is not suggested.
 */
function suggest(members: CohortMember[], progress: Map<string, Progress>, inPipeline: Set<string>, maxModule: number): ChampionSuggestion[] {
  const best = new Map<string, ChampionSuggestion>();
  for (const m of members) {
    if (m.status === 'withdrawn' || inPipeline.has(m.userId)) continue;
    const p = progress.get(m.enrollmentId)!;
    if (p.forumRecent === 0 && m.modulesCompleted === 0 && !m.completedCourse) continue;
    const s: ChampionSuggestion = {
      userId: m.userId,
      enrollmentId: m.enrollmentId,
      name: m.name,
      forumPosts: p.forumRecent,
      modulesCompleted: m.modulesCompleted,
      completedCourse: m.completedCourse,
      lastActiveAt: m.lastActiveAt,
      reason: reasonInWords(p.forumRecent, m.modulesCompleted, m.completedCourse, maxModule),
    };
    const seen = best.get(m.userId);
    // A member enrolled twice in one cohort is suggested once, on their stronger enrollment.
    if (!seen || rank(s, seen) < 0) best.set(m.userId, s);
  }
  return [...best.values()].sort(rank).slice(0, SUGGESTIONS_SHOWN);
}

function rank(a: ChampionSuggestion, b: ChampionSuggestion): number {
  return (
    b.forumPosts - a.forumPosts ||
    b.modulesCompleted - a.modulesCompleted ||
    Number(b.completedCourse) - Number(a.completedCourse) ||
    (b.lastActiveAt ?? '').localeCompare(a.lastActiveAt ?? '') ||
    (a.name ?? '').localeCompare(b.name ?? '') ||
    a.userId.localeCompare(b.userId)
  );
}

function reasonInWords(forumPosts: number, modulesCompleted: number, completedCourse: boolean, maxModule: number): string {
  const parts = [
    forumPosts > 0
      ? `${forumPosts} forum post${forumPosts === 1 ? '' : 's'} in ${FORUM_WINDOW_DAYS} days`
      : `no forum posts in ${FORUM_WINDOW_DAYS} days`,
  ];
  if (completedCourse) parts.push('completed the course');
  else if (modulesCompleted > 0) {
    parts.push(
      maxModule >= modulesCompleted
        ? `${modulesCompleted} of ${maxModule} modules completed`
        : `${modulesCompleted} module${modulesCompleted === 1 ? '' : 's'} completed`,
    );
  }
  return parts.join(' · ');
}
