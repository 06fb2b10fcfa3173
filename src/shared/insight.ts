import { z } from 'zod';
import { ACTION_TYPES } from './enums.js';
import { CohortRow, EnrollmentRow, IsoTimestamp, RowId } from './rows.js';

// Cohort insight (docs/insight.md): the numbers behind the Cohorts screen and a cohort's page,
// the windows their definitions use, and the shapes the core answers with. The renderer states
// each definition with these same constants, so a number and the words beside it cannot drift.

/** "Active": at least one action in this many days before now. */
export const ACTIVE_WINDOW_DAYS = 7;
/** Champion suggestions count forum posts (threads and replies) in this many days before now. */
export const FORUM_WINDOW_DAYS = 60;
/** "At risk": no action for this many days, unless the coordinator sets another number. */
export const AT_RISK_DAYS_DEFAULT = 14;
export const AT_RISK_DAYS_MIN = 1;
export const AT_RISK_DAYS_MAX = 365;
/** How many champion suggestions a cohort page shows. */
export const SUGGESTIONS_SHOWN = 10;

export const AtRiskDays = z
  .number()
  .int('must be a whole number of days')
  .min(AT_RISK_DAYS_MIN, `must be at least ${AT_RISK_DAYS_MIN} day`)
  .max(AT_RISK_DAYS_MAX, `must be at most ${AT_RISK_DAYS_MAX} days`);

/** A week, Monday to Sunday in UTC, named by its Monday (`2026-04-20`). */
const WeekStart = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Count = z.number().int().nonnegative();

export const CohortSummary = z.object({
  cohort: CohortRow,
  /** Enrollments in the cohort, whatever their status. */
  enrolled: Count,
  withdrawn: Count,
  /** Enrollments marked completed, or with a completed_course action. */
  completed: Count,
  /** Enrollments with an action in the last ACTIVE_WINDOW_DAYS. */
  active: Count,
  atRisk: Count,
  /** Enrollments with at least one action, for each week of the run (zero weeks included). */
  weekly: z.array(z.object({ week: WeekStart, active: Count })),
});
export type CohortSummary = z.infer<typeof CohortSummary>;

export const CohortsOverview = z.object({
  /** False while a first sync is still loading: the figures are not complete yet. */
  ready: z.boolean(),
  now: IsoTimestamp,
  atRiskDays: AtRiskDays,
  /** Enrollments with no cohort (self-paced): in no cohort's figures. */
  selfPaced: Count,
  cohorts: z.array(CohortSummary),
});
export type CohortsOverview = z.infer<typeof CohortsOverview>;

const FunnelStep = z.object({ key: z.enum(['enrolled', 'started', 'completedModule', 'completedCourse']), count: Count });

export const CohortMember = z.object({
  enrollmentId: RowId,
  userId: RowId,
  /** Null when the member's own row is not on this laptop. */
  name: z.string().nullable(),
  email: z.string().nullable(),
  status: EnrollmentRow.shape.status,
  enrolledAt: IsoTimestamp,
  /** Distinct module numbers with a completed_module action. */
  modulesCompleted: Count,
  completedCourse: z.boolean(),
  lastActiveAt: IsoTimestamp.nullable(),
  threads: Count,
  replies: Count,
  actions: Count,
});
export type CohortMember = z.infer<typeof CohortMember>;

export const ChampionSuggestion = z.object({
  userId: RowId,
  enrollmentId: RowId,
  name: z.string().nullable(),
  forumPosts: Count,
  modulesCompleted: Count,
  completedCourse: z.boolean(),
  lastActiveAt: IsoTimestamp.nullable(),
  /** The ranking's reasons in words: "14 forum posts in 60 days · completed the course". */
  reason: z.string(),
});
export type ChampionSuggestion = z.infer<typeof ChampionSuggestion>;

export const CohortInsight = z.object({
  ready: z.boolean(),
  now: IsoTimestamp,
  cohort: CohortRow,
  withdrawn: Count,
  funnel: z.array(FunnelStep),
  /** Per module number (in order): enrollments that started it and that completed it. */
  modules: z.array(z.object({ module: z.number().int().positive(), started: Count, completed: Count })),
  /** Module actions whose module number could not be read (neither metadata nor target id). */
  unnumberedModuleActions: Count,
  /** Actions per week and action type, over the weeks the cohort ran and any linked activity around them. */
  weeks: z.array(z.object({ week: WeekStart, counts: z.record(z.enum(ACTION_TYPES), Count), inRun: z.boolean() })),
  members: z.array(CohortMember),
  suggestions: z.array(ChampionSuggestion),
  /** Members of this cohort not suggested because they are already in a pipeline. */
  inPipeline: Count,
});
export type CohortInsight = z.infer<typeof CohortInsight>;

export const AtRiskMember = z.object({
  enrollmentId: RowId,
  userId: RowId,
  name: z.string().nullable(),
  email: z.string().nullable(),
  enrolledAt: IsoTimestamp,
  lastActiveAt: IsoTimestamp.nullable(),
  /** The later of the last action, the enrollment and the cohort's start: silence counts from here. */
  quietSince: IsoTimestamp,
  quietDays: Count,
});
export type AtRiskMember = z.infer<typeof AtRiskMember>;

export const AtRiskList = z.object({
  ready: z.boolean(),
  now: IsoTimestamp,
  days: AtRiskDays,
  members: z.array(AtRiskMember),
});
export type AtRiskList = z.infer<typeof AtRiskList>;
