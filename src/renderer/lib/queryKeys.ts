import type { SyncTable } from '../../shared/rows.js';

// Query keys start with the data they read, so a `data.changed` event can invalidate
// exactly the queries that depend on the tables it names.
export type Dep = SyncTable | 'outbox' | 'conflict';

export const DEPS = {
  // Rows also show last activity and champion stage; those are refreshed whenever the list is
  // shown again (PeopleScreen), not on every pulled page of actions, which would re-read the list
  // over and over during a sync.
  people: ['user'],
  member: ['user', 'enrollment', 'champion', 'cohort', 'user_action', 'outbox', 'conflict'],
  timeline: ['user_action', 'user', 'outbox', 'enrollment', 'cohort'],
  board: ['champion', 'champion_stage_change', 'user', 'cohort', 'outbox', 'conflict'],
  history: ['champion_stage_change', 'user', 'outbox'],
  cohorts: ['cohort'],
  conflicts: ['conflict', 'outbox', 'champion'],
  // Cohort insight: enrollments and actions feed every figure, champion rows the suggestions.
  insight: ['cohort', 'enrollment', 'user_action', 'user', 'champion'],
} as const satisfies Record<string, readonly Dep[]>;

export type QueryArea = keyof typeof DEPS;

export const qk = {
  people: (filter: unknown) => ['people', 'search', filter] as const,
  peopleCount: (filter: unknown) => ['people', 'count', filter] as const,
  origins: () => ['people', 'origins'] as const,
  member: (id: string) => ['member', id] as const,
  timeline: (filter: unknown) => ['timeline', 'page', filter] as const,
  dailyCounts: (filter: unknown) => ['timeline', 'daily', filter] as const,
  board: (cohortId: string | null) => ['board', cohortId] as const,
  history: (id: string) => ['history', id] as const,
  cohorts: () => ['cohorts'] as const,
  // The signed-in coordinator's communities: names come from cohort rows; a sign-in replaces it.
  myScope: () => ['cohorts', 'scope'] as const,
  memberLeftScope: (id: string) => ['member', id, 'left-scope'] as const,
  conflicts: () => ['conflicts'] as const,
  cohortsOverview: () => ['insight', 'overview'] as const,
  cohortInsight: (id: string) => ['insight', 'cohort', id] as const,
  cohortAtRisk: (id: string, days: number) => ['insight', 'atRisk', id, days] as const,
  // A local setting, not table data: changed only through its own call, which updates this key.
  insightSettings: () => ['insight-settings'] as const,
  syncStatus: () => ['sync.status'] as const,
  authStatus: () => ['auth.status'] as const,
  settings: () => ['settings'] as const,
  preferences: () => ['preferences'] as const,
  photo: (id: string) => ['photo', id] as const,
  peopleTotal: () => ['people', 'total'] as const,
};

/** Which query areas a change to these tables makes stale. */
export function areasFor(tables: readonly Dep[]): QueryArea[] {
  const changed = new Set<Dep>(tables);
  return (Object.keys(DEPS) as QueryArea[]).filter((area) => DEPS[area].some((t) => changed.has(t)));
}
