import { useEffect, useRef, useState } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ROLES, type Role } from '../../shared/enums.js';
import type { MemberSummary, PeopleSort } from '../../shared/ipc.js';
import { SEARCH_QUERY_MAX } from '../../shared/limits.js';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { useDebounced } from '../lib/useDebounced.js';
import { EMPTY_PEOPLE, useNavigation, useScrollMemory, type PeopleView } from '../lib/navigation.js';
import { isTypingTarget } from '../lib/keyboard.js';
import { downloadText } from '../lib/downloadText.js';
import { lastActiveLabel, today } from '../lib/dates.js';
import { useNow } from '../lib/useNow.js';
import { Avatar, RoleChip, StageBadge } from '../components/Badges.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { FirstSyncState } from '../components/FirstSyncState.js';
import { Icon } from '../components/Icon.js';
import { ASK_FOR_COMMUNITIES } from '../components/YourCommunities.js';

const PAGE = 100;
const ROW_HEIGHT = 60;
const SORTS: { value: PeopleSort; label: string }[] = [
  { value: 'name', label: 'Name' },
  { value: 'last_active', label: 'Last active' },
  { value: 'joined', label: 'Joined' },
];

/** A key meant for the people list: not typed into a field, not inside an open dialog, no modifier. */
function forTheList(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return false;
  // A select and the role toggles use the arrows themselves.
  if (isTypingTarget(e.target) || (e.target instanceof HTMLElement && e.target.closest('select, .filter-group'))) return false;
  return document.querySelector('dialog[open]') === null;
}

export function PeopleScreen() {
  const { route, go, replace } = useNavigation();
  const view: PeopleView = route.screen === 'people' ? { ...EMPTY_PEOPLE, ...stripUndefined(route) } : EMPTY_PEOPLE;
  const [text, setText] = useState(view.q);
  const [active, setActive] = useState(0);
  const now = useNow(60_000);
  const query = useDebounced(text.trim(), 80);
  const filter = { query, roles: view.roles, origins: view.origin ? [view.origin] : [] };
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const setView = (patch: Partial<PeopleView>) => replace({ screen: 'people', ...view, q: query, ...patch });

  // Typing settles into the address, so Back and reload find the same search.
  useEffect(() => {
    if (query !== view.q) setView({ q: query });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const status = useQuery({ queryKey: qk.syncStatus(), queryFn: () => call('sync.status', {}) });
  const firstSync = status.data !== undefined && status.data.lastSyncedAt === null;
  const scope = useQuery({ queryKey: qk.myScope(), queryFn: () => call('scope.mine', {}) });
  const origins = useQuery({ queryKey: qk.origins(), queryFn: () => call('people.origins', {}) });
  const total = useQuery({ queryKey: qk.peopleTotal(), queryFn: () => call('people.count', {}) });
  const count = useQuery({
    queryKey: qk.peopleCount(filter),
    queryFn: () => call('people.count', filter),
    placeholderData: keepPreviousData,
  });
  const results = useInfiniteQuery({
    queryKey: qk.people({ ...filter, sort: view.sort }),
    queryFn: ({ pageParam }) => call('people.search', { ...filter, sort: view.sort, limit: PAGE, after: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Keep showing the previous results while the next query runs: no flicker while typing.
    placeholderData: keepPreviousData,
    // Rows carry last activity and champion stage, which change without the user table changing.
    refetchOnMount: 'always',
  });
  const items: MemberSummary[] = results.data?.pages.flatMap((p) => p.items) ?? [];

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastVisible = virtualItems[virtualItems.length - 1]?.index ?? 0;
  useScrollMemory('people', listRef, items.length > 0);

  useEffect(() => {
    if (lastVisible >= items.length - 20 && results.hasNextPage && !results.isFetchingNextPage) {
      void results.fetchNextPage();
    }
  }, [lastVisible, items.length, results]);

  // A new search starts at the top of its results (not when the screen comes back as it was).
  const filterKey = JSON.stringify([query, view.roles, view.origin, view.sort]);
  const shownKey = useRef(filterKey);
  useEffect(() => {
    if (shownKey.current === filterKey) return;
    shownKey.current = filterKey;
    setActive(0);
    virtualizer.scrollToOffset(0);
  }, [filterKey, virtualizer]);

  const move = (step: number) => {
    if (items.length === 0) return;
    const next = Math.max(0, Math.min(items.length - 1, active + step));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  // The advertised keys work wherever focus is on the screen (not only inside the list), and
  // never while typing: "/" to search, j/k or the arrows to move, Enter to open.
  const keys = useRef({ move, open: () => undefined as void });
  keys.current = {
    move,
    open: () => {
      const person = items[active];
      if (person) go({ screen: 'member', id: person.id });
    },
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !isTypingTarget(e.target) && !e.ctrlKey && !e.metaKey && document.querySelector('dialog[open]') === null) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
        return;
      }
      const inSearch = e.target === searchRef.current;
      // In the search box the arrows and Enter still work the list; letters are typing.
      if (inSearch && (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Enter')) {
        e.preventDefault();
        if (e.key === 'Enter') keys.current.open();
        else keys.current.move(e.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (!forTheList(e)) return;
      const step = e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0;
      if (step !== 0) {
        e.preventDefault();
        keys.current.move(step);
      } else if (e.key === 'Enter' && (e.target === document.body || e.target === listRef.current)) {
        // (Enter on a button or a link is that button's.)
        e.preventDefault();
        keys.current.open();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const exportCsv = useMutation({
    mutationFn: () => call('people.exportCsv', { ...filter, sort: view.sort }),
    onSuccess: ({ csv }) => downloadText(csv, `people-${today()}.csv`),
  });

  const toggleRole = (role: Role) => setView({ roles: view.roles.includes(role) ? view.roles.filter((x) => x !== role) : [...view.roles, role] });
  const filtered = query !== '' || view.roles.length > 0 || view.origin !== '';
  const clearFilters = () => {
    setText('');
    replace({ screen: 'people', ...EMPTY_PEOPLE, sort: view.sort });
  };

  // Only a rendered row can be pointed at (the list draws the rows in view).
  const activeRendered = virtualItems.some((v) => v.index === active);
  const activeId = items[active] && activeRendered ? `person-${items[active].id}` : undefined;
  const listShown = !firstSync && items.length > 0;
  const n = count.data?.count;
  const m = total.data?.count;
  const countText =
    n === undefined
      ? ' '
      : filtered && m !== undefined
        ? `${n.toLocaleString()} of ${m.toLocaleString()} members`
        : `${n.toLocaleString()} member${n === 1 ? '' : 's'}`;

  return (
    <div className="screen screen-people">
      <header className="screen-header">
        <div>
          <h1>People</h1>
          <p className="muted" data-testid="people-count" aria-live="polite">
            {firstSync ? ' ' : countText}
            {results.isFetching && !results.isFetchingNextPage ? (
              <span className="spinner spinner-inline" role="status" aria-label="Searching" />
            ) : null}
          </p>
        </div>
        {firstSync ? null : (
          <button type="button" className="btn" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending || !n}>
            <Icon name="download" /> {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
          </button>
        )}
      </header>
      {exportCsv.isError ? <div className="form-error">{errorText(exportCsv.error)}</div> : null}

      <div className="toolbar" hidden={firstSync}>
        <label className="search">
          <Icon name="search" />
          <span className="sr-only">Search people by name or email</span>
          <input
            ref={searchRef}
            type="search"
            placeholder="Search by name or email   ( / )"
            value={text}
            maxLength={SEARCH_QUERY_MAX}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              // Esc leaves the search for the list (keeping the text), instead of clearing it.
              if (e.key === 'Escape') {
                e.preventDefault();
                listRef.current?.focus();
              }
            }}
            aria-controls={listShown ? 'people-list' : undefined}
            aria-activedescendant={listShown ? activeId : undefined}
          />
        </label>
        <fieldset className="filter-group">
          <legend className="sr-only">Roles</legend>
          {ROLES.map((role) => (
            <label key={role} className={view.roles.includes(role) ? 'toggle on' : 'toggle'}>
              <input type="checkbox" checked={view.roles.includes(role)} onChange={() => toggleRole(role)} />
              {role}
            </label>
          ))}
        </fieldset>
        <label className="select">
          <span>Origin</span>
          <select value={view.origin} onChange={(e) => setView({ origin: e.target.value })} aria-label="Origin">
            <option value="">All origins</option>
            {origins.data?.origins.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label className="select">
          <span>Sort by</span>
          <select value={view.sort} onChange={(e) => setView({ sort: e.target.value as PeopleSort })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {firstSync && status.data ? (
        <FirstSyncState status={status.data} />
      ) : results.isPending ? (
        <Loading label="Searching…" />
      ) : results.isError ? (
        <ErrorState error={results.error} onRetry={() => void results.refetch()} />
      ) : items.length === 0 ? (
        <div data-testid="people-empty">
          <Empty title="No one matches">
            {filtered ? (
              <>
                <p>Try fewer letters, or clear the search and the filters.</p>
                <button type="button" className="btn" onClick={clearFilters}>
                  Clear filters
                </button>
              </>
            ) : scope.data?.state === 'none' ? (
              `You have no communities yet, so this laptop holds no members. ${ASK_FOR_COMMUNITIES}`
            ) : (
              'There are no members on this laptop yet.'
            )}
          </Empty>
        </div>
      ) : (
        <div className="people-table">
          <div className="person-row person-columns" data-testid="people-columns" aria-hidden="true">
            <span />
            <span>Member</span>
            <span>Origin</span>
            <span>Roles</span>
            <span>Champion stage</span>
            <span>Last active</span>
          </div>
          <div ref={listRef} className="vlist" id="people-list" role="listbox" aria-label="People" tabIndex={0} aria-activedescendant={activeId}>
            <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
              {virtualItems.map((row) => {
                const person = items[row.index];
                if (!person) return null;
                return (
                  <div
                    key={person.id}
                    id={`person-${person.id}`}
                    role="option"
                    data-index={row.index}
                    aria-selected={row.index === active}
                    className={row.index === active ? 'person-row active' : 'person-row'}
                    style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                    onClick={() => {
                      setActive(row.index);
                      go({ screen: 'member', id: person.id });
                    }}
                  >
                    <Avatar name={person.name} memberId={person.id} hasPhoto={person.profileImg !== null} size={36} />
                    <div className="person-main">
                      <div className="person-name">{person.name}</div>
                      <div className="person-email muted">{person.email}</div>
                    </div>
                    <div className="person-origin muted">{person.origin ?? ''}</div>
                    <div className="person-roles">
                      {person.roles.map((r) => (
                        <RoleChip key={r} role={r} />
                      ))}
                    </div>
                    <div className="person-stage">{person.championStage ? <StageBadge stage={person.championStage} /> : null}</div>
                    <div className="person-last-active muted" title={person.lastActiveAt ?? undefined}>
                      {person.lastActiveAt ? lastActiveLabel(person.lastActiveAt, now) : 'never'}
                    </div>
                  </div>
                );
              })}
            </div>
            {results.isFetchingNextPage ? <div className="list-foot muted">Loading more…</div> : null}
          </div>
        </div>
      )}
      <p className="hint muted small" hidden={firstSync}>
        <kbd>/</kbd> search · <kbd>↑</kbd>
        <kbd>↓</kbd> or <kbd>j</kbd>
        <kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>?</kbd> all shortcuts
      </p>
    </div>
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
