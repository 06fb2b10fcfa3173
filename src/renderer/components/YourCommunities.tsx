import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { ErrorState, Loading } from './States.js';

/** Who assigns communities: the words every "no communities" message uses. */
export const ASK_FOR_COMMUNITIES = 'Ask a superadmin of AfH Coordinator (the person who set up your account) to assign your communities.';

/** Settings: the communities this laptop holds (issue 13), or all of them, or none yet and whom to ask. */
export function YourCommunities() {
  const scope = useQuery({ queryKey: qk.myScope(), queryFn: () => call('scope.mine', {}) });
  return (
    <section className="panel" aria-labelledby="communities-title">
      <h2 id="communities-title">Your communities</h2>
      {scope.isPending ? (
        <Loading />
      ) : scope.isError ? (
        <ErrorState error={scope.error} onRetry={() => void scope.refetch()} />
      ) : scope.data.state === 'all' ? (
        <p data-testid="communities">All communities</p>
      ) : scope.data.state === 'none' ? (
        <p data-testid="communities">You have no communities yet, so this laptop holds no members. {ASK_FOR_COMMUNITIES}</p>
      ) : scope.data.state === 'unknown' ? (
        <p data-testid="communities">Sign out and in again to see your communities.</p>
      ) : (
        <ul className="plain-list" data-testid="communities">
          {scope.data.cohorts.map((c) => (
            <li key={c.id}>{c.name}</li>
          ))}
        </ul>
      )}
      {scope.data?.state === 'cohorts' ? (
        <p className="muted small">This laptop holds only the members of these communities. A superadmin changes them.</p>
      ) : null}
    </section>
  );
}
