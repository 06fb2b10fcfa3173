import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ROLES, type Role } from '../../shared/enums.js';
import type { MemberSummary } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { useDebounced } from '../lib/useDebounced.js';
import { useNavigation } from '../lib/navigation.js';
import { isTypingTarget, listStep } from '../lib/keyboard.js';
import { downloadText } from '../lib/downloadText.js';
import { Avatar, RoleChip } from '../components/Badges.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { Icon } from '../components/Icon.js';

const PAGE = 100;
const ROW_HEIGHT = 60;

export function PeopleScreen() {
  const { go } = useNavigation();
  const [text, setText] = useState('');
  const [roles, setRoles] = useState<Role[]>([]);
  const [origin, setOrigin] = useState('');
  const [active, setActive] = useState(0);
  const query = useDebounced(text.trim(), 80);
  const filter = { query, roles, origins: origin ? [origin] : [] };
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  const origins = useQuery({ queryKey: qk.origins(), queryFn: () => call('people.origins', {}) });
  const count = useQuery({
    queryKey: qk.peopleCount(filter),
    queryFn: () => call('people.count', filter),
    placeholderData: keepPreviousData,
  });
  const results = useInfiniteQuery({
    queryKey: qk.people(filter),
    queryFn: ({ pageParam }) => call('people.search', { ...filter, limit: PAGE, after: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Keep showing the previous results while the next query runs: no flicker while typing.
    placeholderData: keepPreviousData,
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

  useEffect(() => {
    if (lastVisible >= items.length - 20 && results.hasNextPage && !results.isFetchingNextPage) {
      void results.fetchNextPage();
    }
  }, [lastVisible, items.length, results]);

  // A new search starts at the top of its results.
  useEffect(() => {
    setActive(0);
    virtualizer.scrollToOffset(0);
  }, [query, roles, origin]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && !isTypingTarget(e.target) && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const move = (step: number) => {
    if (items.length === 0) return;
    const next = Math.max(0, Math.min(items.length - 1, active + step));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  const onListKey = (e: ReactKeyboardEvent) => {
    // Buttons, filters and selects keep their own keys (Enter on "Export CSV" exports).
    if (e.target instanceof HTMLElement && e.target.closest('button, select, .filter-group')) return;
    const step = listStep(e);
    if (step !== 0) {
      e.preventDefault();
      move(step);
      return;
    }
    if (e.key === 'Enter') {
      const person = items[active];
      if (person) {
        e.preventDefault();
        go({ screen: 'member', id: person.id });
      }
    }
  };

  const exportCsv = useMutation({
    mutationFn: () => call('people.exportCsv', filter),
    onSuccess: ({ csv }) => downloadText(csv, `people-${new Date().toISOString().slice(0, 10)}.csv`),
  });

  const toggleRole = (role: Role) =>
    setRoles((r) => (r.includes(role) ? r.filter((x) => x !== role) : [...r, role]));

  const activeId = items[active] ? `person-${items[active].id}` : undefined;

  return (
    <div className="screen screen-people" onKeyDown={onListKey}>
      <header className="screen-header">
        <div>
          <h1>People</h1>
          <p className="muted" data-testid="people-count" aria-live="polite">
            {count.data ? `${count.data.count.toLocaleString()} member${count.data.count === 1 ? '' : 's'}` : ' '}
            {results.isFetching && !results.isFetchingNextPage ? <span className="spinner spinner-inline" aria-label="Searching" /> : null}
          </p>
        </div>
        <button
          type="button"
          className="btn"
          onClick={() => exportCsv.mutate()}
          disabled={exportCsv.isPending || !count.data || count.data.count === 0}
        >
          <Icon name="download" /> {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
        </button>
      </header>
      {exportCsv.isError ? <div className="form-error">{errorText(exportCsv.error)}</div> : null}

      <div className="toolbar">
        <label className="search">
          <Icon name="search" />
          <span className="sr-only">Search people by name or email</span>
          <input
            ref={searchRef}
            type="search"
            placeholder="Search by name or email   ( / )"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-controls="people-list"
            aria-activedescendant={activeId}
            autoFocus
          />
        </label>
        <fieldset className="filter-group">
          <legend className="sr-only">Roles</legend>
          {ROLES.map((role) => (
            <label key={role} className={roles.includes(role) ? 'toggle on' : 'toggle'}>
              <input type="checkbox" checked={roles.includes(role)} onChange={() => toggleRole(role)} />
              {role}
            </label>
          ))}
        </fieldset>
        <label className="select">
          <span className="sr-only">Origin</span>
          <select value={origin} onChange={(e) => setOrigin(e.target.value)} aria-label="Origin">
            <option value="">All origins</option>
            {origins.data?.origins.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
      </div>

      {results.isPending ? (
        <Loading label="Searching…" />
      ) : results.isError ? (
        <ErrorState error={results.error} onRetry={() => void results.refetch()} />
      ) : items.length === 0 ? (
        <Empty title="No one matches">Try fewer letters, or clear the role and origin filters.</Empty>
      ) : (
        <div
          ref={listRef}
          className="vlist"
          id="people-list"
          role="listbox"
          aria-label="People"
          tabIndex={0}
          aria-activedescendant={activeId}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualItems.map((row) => {
              const person = items[row.index];
              if (!person) return null;
              return (
                <div
                  key={person.id}
                  id={`person-${person.id}`}
                  role="option"
                  aria-selected={row.index === active}
                  className={row.index === active ? 'person-row active' : 'person-row'}
                  style={{ transform: `translateY(${row.start}px)`, height: ROW_HEIGHT }}
                  onClick={() => {
                    setActive(row.index);
                    go({ screen: 'member', id: person.id });
                  }}
                >
                  <Avatar name={person.name} img={person.profile_img} size={36} />
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
                </div>
              );
            })}
          </div>
          {results.isFetchingNextPage ? <div className="list-foot muted">Loading more…</div> : null}
        </div>
      )}
      <p className="hint muted small">
        <kbd>/</kbd> search · <kbd>↑</kbd>
        <kbd>↓</kbd> or <kbd>j</kbd>
        <kbd>k</kbd> move · <kbd>Enter</kbd> open
      </p>
    </div>
  );
}
