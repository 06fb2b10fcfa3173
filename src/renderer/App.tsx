import { useQuery } from '@tanstack/react-query';
import { call } from './lib/api.js';
import { qk } from './lib/queryKeys.js';
import { useCoreEvents } from './lib/useCoreEvents.js';
import { NavigationProvider } from './lib/navigation.js';
import { HostConnectionProvider } from './lib/hostConnection.js';
import { setDisplayTimeZone, systemTimeZone } from './lib/dates.js';
import { Loading, ErrorState } from './components/States.js';
import { HostExpired, HostLostBanner } from './components/HostStatus.js';
import { SignInScreen } from './screens/SignInScreen.js';
import { Shell } from './Shell.js';

export function App() {
  return <HostConnectionProvider>{(host) => (host === 'expired' ? <HostExpired /> : <Connected lost={host === 'lost'} />)}</HostConnectionProvider>;
}

function Connected({ lost }: { lost: boolean }) {
  useCoreEvents();
  const auth = useQuery({ queryKey: qk.authStatus(), queryFn: () => call('auth.status', {}) });
  const preferences = useQuery({ queryKey: qk.preferences(), queryFn: () => call('preferences.get', {}) });
  if (!auth.data) {
    if (lost) return <HostLostBanner />;
    if (auth.isPending) return <Loading label="Starting…" />;
    return <ErrorState error={auth.error} onRetry={() => void auth.refetch()} />;
  }
  // Wait briefly for the time-zone preference, so times are never first drawn in the wrong zone.
  if (preferences.isPending) return <Loading label="Starting…" />;
  const zone = preferences.data?.timeZone ?? systemTimeZone();
  setDisplayTimeZone(zone);
  if (!auth.data.signedIn) return <SignInScreen auth={auth.data} />;
  return (
    <NavigationProvider>
      {/* Every label is drawn again in a newly chosen zone. */}
      <Shell key={zone} auth={auth.data} />
    </NavigationProvider>
  );
}
