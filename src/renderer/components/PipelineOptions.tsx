import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';

/** The select value standing for the global pipeline (champions in no cohort): a select cannot hold null. */
export const GLOBAL_PIPELINE = '__global__';

export const cohortIdOf = (value: string): string | null => (value === GLOBAL_PIPELINE ? null : value);

/** The global pipeline, then one option per cohort (from the shared, cached cohorts query). */
export function PipelineOptions({ withStatus = false }: { withStatus?: boolean }) {
  const cohorts = useQuery({ queryKey: qk.cohorts(), queryFn: () => call('cohorts.list', {}) });
  return (
    <>
      <option value={GLOBAL_PIPELINE}>Global (ongoing champions)</option>
      {cohorts.data?.cohorts.map((c) => (
        <option key={c.id} value={c.id}>
          {withStatus ? `${c.name} (${c.status})` : c.name}
        </option>
      ))}
    </>
  );
}
