import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

// Screens live in React state rather than the URL: the browser host keeps its launch
// token in the URL's hash, and the renderer must not depend on which host it has.
export type Route =
  | { screen: 'people' }
  | { screen: 'member'; id: string }
  | { screen: 'activity' }
  | { screen: 'champions'; cohortId?: string | null }
  | { screen: 'cohorts' }
  | { screen: 'cohort'; id: string }
  | { screen: 'sync' }
  | { screen: 'settings' };

export type ScreenName = Route['screen'];

interface Navigation {
  route: Route;
  go(route: Route): void;
  back(): void;
}

const NavigationContext = createContext<Navigation | null>(null);

export function NavigationProvider({ children }: { children: ReactNode }) {
  const [stack, setStack] = useState<Route[]>([{ screen: 'people' }]);
  const go = useCallback((route: Route) => setStack((s) => [...s.slice(-20), route]), []);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const route = stack[stack.length - 1] ?? { screen: 'people' };
  const value = useMemo(() => ({ route, go, back }), [route, go, back]);
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error('useNavigation outside NavigationProvider');
  return nav;
}
