import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { ACTION_TYPES, ROLES, SOURCE_SYSTEMS, type ActionType, type Role, type SourceSystem } from '../../shared/enums.js';
import { PEOPLE_SORTS, type PeopleSort } from '../../shared/ipc.js';

// Where the coordinator is, and how they had each screen (search text, filters, sort), lives
// in the address's fragment (`#/people?q=an&roles=student`, `#/member/usr_42?action=viewed_module`)
// and in the browser's history, so Back, Forward and a reload bring a screen back as it was;
// scroll positions are kept in each history entry's state. The fragment works the same under
// both hosts: the Electron host's app:// page and the browser host's page (whose launch key the
// bridge has already taken out of the fragment before this code runs).

export interface TimelineFilterState {
  actionType: ActionType | '';
  source: SourceSystem | '';
  fromDay: string;
  toDay: string;
}
export const EMPTY_FILTER: TimelineFilterState = { actionType: '', source: '', fromDay: '', toDay: '' };

export interface PeopleView {
  q: string;
  roles: Role[];
  origin: string;
  sort: PeopleSort;
}
export const EMPTY_PEOPLE: PeopleView = { q: '', roles: [], origin: '', sort: 'name' };

export type Route =
  | ({ screen: 'people' } & Partial<PeopleView>)
  | { screen: 'member'; id: string; filter?: TimelineFilterState }
  | { screen: 'activity'; filter?: TimelineFilterState }
  | { screen: 'champions'; cohortId?: string | null; q?: string }
  | { screen: 'cohorts' }
  | { screen: 'cohort'; id: string }
  | { screen: 'sync' }
  | { screen: 'settings' };

export type ScreenName = Route['screen'];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const GLOBAL = 'global';

function readFilter(p: URLSearchParams): TimelineFilterState {
  const action = p.get('action') ?? '';
  const source = p.get('source') ?? '';
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  return {
    actionType: (ACTION_TYPES as readonly string[]).includes(action) ? (action as ActionType) : '',
    source: (SOURCE_SYSTEMS as readonly string[]).includes(source) ? (source as SourceSystem) : '',
    fromDay: DAY.test(from) ? from : '',
    toDay: DAY.test(to) ? to : '',
  };
}

function writeFilter(p: URLSearchParams, f: TimelineFilterState | undefined): void {
  if (!f) return;
  if (f.actionType) p.set('action', f.actionType);
  if (f.source) p.set('source', f.source);
  if (f.fromDay) p.set('from', f.fromDay);
  if (f.toDay) p.set('to', f.toDay);
}

/** A fragment (`#/member/usr_1?action=…`) as a route; anything unknown is the People screen. */
function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const p = new URLSearchParams(query);
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return '';
      }
    });
  switch (parts[0]) {
    case 'member':
      return parts[1] ? { screen: 'member', id: parts[1], filter: readFilter(p) } : { screen: 'people' };
    case 'activity':
      return { screen: 'activity', filter: readFilter(p) };
    case 'champions': {
      const cohort = p.get('cohort');
      return { screen: 'champions', cohortId: !cohort || cohort === GLOBAL ? null : cohort, q: p.get('q') ?? '' };
    }
    case 'cohorts':
      return { screen: 'cohorts' };
    case 'cohort':
      return parts[1] ? { screen: 'cohort', id: parts[1] } : { screen: 'cohorts' };
    case 'sync':
      return { screen: 'sync' };
    case 'settings':
      return { screen: 'settings' };
    default: {
      const sort = p.get('sort') ?? 'name';
      return {
        screen: 'people',
        q: p.get('q') ?? '',
        roles: (p.get('roles') ?? '').split(',').filter((r): r is Role => (ROLES as readonly string[]).includes(r)),
        origin: p.get('origin') ?? '',
        sort: (PEOPLE_SORTS as readonly string[]).includes(sort) ? (sort as PeopleSort) : 'name',
      };
    }
  }
}

/** A route as the fragment it is kept in (without `#`). */
function formatRoute(route: Route): string {
  const p = new URLSearchParams();
  let path: string;
  switch (route.screen) {
    case 'member':
      path = `/member/${encodeURIComponent(route.id)}`;
      writeFilter(p, route.filter);
      break;
    case 'activity':
      path = '/activity';
      writeFilter(p, route.filter);
      break;
    case 'champions':
      path = '/champions';
      if (route.cohortId) p.set('cohort', route.cohortId);
      if (route.q) p.set('q', route.q);
      break;
    case 'cohort':
      path = `/cohort/${encodeURIComponent(route.id)}`;
      break;
    case 'cohorts':
    case 'sync':
    case 'settings':
      path = `/${route.screen}`;
      break;
    default:
      path = '/people';
      if (route.q) p.set('q', route.q);
      if (route.roles?.length) p.set('roles', route.roles.join(','));
      if (route.origin) p.set('origin', route.origin);
      if (route.sort && route.sort !== 'name') p.set('sort', route.sort);
  }
  const qs = p.toString();
  return `${path}${qs ? `?${qs}` : ''}`;
}

interface EntryState {
  /** Position in this tab's history, so Back never leaves the app. */
  idx: number;
  /** Scroll offsets of this entry's scroll boxes, by name. */
  scroll?: Record<string, number>;
}

const entryState = (): EntryState | null => {
  const s = window.history.state as Partial<EntryState> | null;
  return s && typeof s.idx === 'number' ? (s as EntryState) : null;
};

interface Navigation {
  route: Route;
  /** Changes on every move through history (not on `replace`): screens key on it to start fresh. */
  entry: number;
  /** A new history entry. */
  go(route: Route): void;
  /** The same entry, updated (a filter typed, a sort chosen): Back still leaves the screen. */
  replace(route: Route): void;
  back(): void;
}

const NavigationContext = createContext<Navigation | null>(null);

/** Sent just before a new entry is pushed (and by the browser before a reload, as pagehide). */
const LEAVING = 'afh:leaving-entry';

export function NavigationProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(() => {
    const route = parseRoute(window.location.hash);
    // The first entry of this tab (or a reload of a later one): keep its place in history.
    const idx = entryState()?.idx ?? 0;
    window.history.replaceState({ ...entryState(), idx }, '', `#${formatRoute(route)}`);
    return { route, entry: 0 };
  });

  useEffect(() => {
    const onPop = () => setState((s) => ({ route: parseRoute(window.location.hash), entry: s.entry + 1 }));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = useCallback((route: Route) => {
    // Scroll boxes write their offsets into the entry being left while it is still current.
    window.dispatchEvent(new Event(LEAVING));
    const idx = (entryState()?.idx ?? 0) + 1;
    window.history.pushState({ idx }, '', `#${formatRoute(route)}`);
    setState((s) => ({ route, entry: s.entry + 1 }));
  }, []);

  const replace = useCallback((route: Route) => {
    const next = `#${formatRoute(route)}`;
    if (window.location.hash !== next) window.history.replaceState(entryState(), '', next);
    setState((s) => ({ route, entry: s.entry }));
  }, []);

  const back = useCallback(() => {
    if ((entryState()?.idx ?? 0) > 0) window.history.back();
    else go({ screen: 'people' });
  }, [go]);

  const value = useMemo(() => ({ route: state.route, entry: state.entry, go, replace, back }), [state, go, replace, back]);
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
  const nav = useContext(NavigationContext);
  if (!nav) throw new Error('useNavigation outside NavigationProvider');
  return nav;
}

/**
 * Keeps a scroll box's offset in the current history entry and puts it back when the entry is
 * shown again (Back, Forward, reload) once `ready` (its content is there to scroll).
 */
export function useScrollMemory(name: string, ref: RefObject<HTMLElement | null>, ready: boolean): void {
  const restored = useRef(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || !ready) return;
    const mine = entryState()?.idx;
    if (!restored.current) {
      restored.current = true;
      const saved = entryState()?.scroll?.[name];
      if (saved) el.scrollTop = saved;
    }
    let timer: number | null = null;
    const save = () => {
      if (timer !== null) window.clearTimeout(timer);
      timer = null;
      const s = entryState();
      // Only into this screen's own entry: after Back the browser has already moved on.
      if (s && s.idx === mine && s.scroll?.[name] !== el.scrollTop) {
        window.history.replaceState({ ...s, scroll: { ...s.scroll, [name]: el.scrollTop } }, '');
      }
    };
    // Written a moment after scrolling stops: browsers limit how often history may be rewritten.
    const onScroll = () => {
      if (timer !== null) window.clearTimeout(timer);
      timer = window.setTimeout(save, 120);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener(LEAVING, save);
    window.addEventListener('pagehide', save);
    return () => {
      el.removeEventListener('scroll', onScroll);
      window.removeEventListener(LEAVING, save);
      window.removeEventListener('pagehide', save);
      if (timer !== null) save();
    };
  }, [name, ref, ready]);
}
