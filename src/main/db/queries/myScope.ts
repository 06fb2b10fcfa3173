import type { CallOutput } from '../../../shared/ipc.js';
import type { Scope } from '../../../shared/scope.js';
import type { AppDb } from '../open.js';

/** The signed-in coordinator's communities with their names (every cohort row is on every laptop). */
export function myScope(app: AppDb, scope: Scope | undefined): CallOutput<'scope.mine'> {
  if (!scope) return { state: 'unknown', cohorts: [] };
  if (scope.all) return { state: 'all', cohorts: [] };
  if (scope.cohortIds.length === 0) return { state: 'none', cohorts: [] };
  const names = new Map((app.sqlite.prepare('SELECT id, name FROM cohort').all() as { id: string; name: string }[]).map((c) => [c.id, c.name]));
  // A cohort the laptop has not pulled yet (first sync not done) is shown by its id until it has.
  const cohorts = scope.cohortIds.map((id) => ({ id, name: names.get(id) ?? id }));
  cohorts.sort((a, b) => a.name.localeCompare(b.name));
  return { state: 'cohorts', cohorts };
}
