import { useQuery } from '@tanstack/react-query';
import { call } from './lib/api.js';
import { qk } from './lib/queryKeys.js';
import { useCoreEvents } from './lib/useCoreEvents.js';
import { NavigationProvider } from './lib/navigation.js';
import { Loading, ErrorState } from './components/States.js';
import { SignInScreen } from './screens/SignInScreen.js';
import { Shell } from './Shell.js';

export function App() {
  useCoreEvents();
  const auth = useQuery({ queryKey: qk.authStatus(), queryFn: () => call('auth.status', {}) });
  if (auth.isPending) return <Loading label="Starting…" />;
  if (auth.isError) return <ErrorState error={auth.error} onRetry={() => void auth.refetch()} />;
  if (!auth.data.signedIn) return <SignInScreen auth={auth.data} />;
  return (
    <NavigationProvider>
      <Shell auth={auth.data} />
    </NavigationProvider>
  );
}
