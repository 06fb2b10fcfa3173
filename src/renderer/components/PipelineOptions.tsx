import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';

/** The select value standing for the global pipeline (champions in no cohort): a select cannot hold null. */
export const GLOBAL_PIPELINE = '__global__';

export const cohortIdOf = (value: string): string | null => (value === GLOBAL_PIPELINE ? null : value);

/**
 * The global pipeline, then one option per cohort of the coordinator's communities (issue 13):
 * every cohort when they hold all of them. `current` (the select's value) stays listed even when
 * it is outside them (a card of an in-scope member can sit in another community's pipeline).
 */
export function PipelineOptions({ withStatus = false, current }: { withStatus?: boolean; current?: string }) {
  const cohorts = useQuery({ queryKey: qk.cohorts(), queryFn: () => call('cohorts.list', {}) });
  const scope = useQuery({ queryKey: qk.myScope(), queryFn: () => call('scope.mine', {}) });
  const mine = scope.data?.state === 'cohorts' || scope.data?.state === 'none' ? new Set(scope.data.cohorts.map((c) => c.id)) : null;
  const listed = cohorts.data?.cohorts.filter((c) => mine === null || mine.has(c.id) || c.id === current) ?? [];
  return (
    <>
      <option value={GLOBAL_PIPELINE}>Global (ongoing champions)</option>
      {listed.map((c) => (
        <option key={c.id} value={c.id}>
          {withStatus ? `${c.name} (${c.status})` : c.name}
        </option>
      ))}
    </>
  );
}
