import type { DataTable } from '../../shared/rows.js';

// Query keys start with the data they read, so a `data.changed` event can invalidate
// exactly the queries that depend on the tables it names. Which tables a write changed is
// never listed here (or by any caller): the writers report it (src/main/sync/writtenTables.ts).
export type Dep = DataTable;

const DEPS = {
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
  pending: ['outbox', 'conflict', 'champion', 'user', 'user_action'],
  // Any pulled table: a page may quarantine a row, or a later version may end its quarantine.
  quarantine: ['user', 'cohort', 'enrollment', 'user_action', 'champion', 'champion_stage_change'],
  // Cohort insight: enrollments and actions feed every figure, champion rows the suggestions.
  insight: ['cohort', 'enrollment', 'user_action', 'user', 'champion'],
  // A member forgotten after an erasure goes with a pull that deletes a user row.
  notices: ['user'],
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
  pending: () => ['pending'] as const,
  quarantine: () => ['quarantine'] as const,
  cohortsOverview: () => ['insight', 'overview'] as const,
  cohortInsight: (id: string) => ['insight', 'cohort', id] as const,
  cohortAtRisk: (id: string, days: number) => ['insight', 'atRisk', id, days] as const,
  // A local setting, not table data: changed only through its own call, which updates this key.
  insightSettings: () => ['insight-settings'] as const,
  syncStatus: () => ['sync.status'] as const,
  authStatus: () => ['auth.status'] as const,
  notices: () => ['notices'] as const,
  devices: () => ['devices'] as const,
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
