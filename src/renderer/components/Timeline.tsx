import { useEffect, useMemo, useRef, useState } from 'react';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { SOURCE_SYSTEMS, type ActionType, type SourceSystem } from '../../shared/enums.js';
import type { TimelineFilter, TimelineItem } from '../../shared/ipc.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dayEndExclusive, dayLabel, dayStart, timeLabel } from '../lib/dates.js';
import { groupByDay } from '../lib/groupByDay.js';
import { listStep } from '../lib/keyboard.js';
import { useNavigation } from '../lib/navigation.js';
import { ActionTypeOptions } from './ActionTypeOptions.js';
import { actionLabel, PendingBadge, SourceBadge } from './Badges.js';
import { Empty, ErrorState, Loading } from './States.js';

const PAGE = 50;

export interface TimelineFilterState {
  actionType: ActionType | '';
  source: SourceSystem | '';
  fromDay: string;
  toDay: string;
}

export const EMPTY_FILTER: TimelineFilterState = { actionType: '', source: '', fromDay: '', toDay: '' };

/** The screen's filter controls as the contract's TimelineFilter (date range inclusive of both days). */
export function toTimelineFilter(userId: string | null, f: TimelineFilterState): TimelineFilter {
  return {
    userId,
    actionTypes: f.actionType ? [f.actionType] : [],
    targetTypes: [],
    sourceSystems: f.source ? [f.source] : [],
    from: f.fromDay ? dayStart(f.fromDay) : null,
    to: f.toDay ? dayEndExclusive(f.toDay) : null,
  };
}

export function TimelineFilters({
  value,
  onChange,
}: {
  value: TimelineFilterState;
  onChange: (next: TimelineFilterState) => void;
}) {
  const set = (patch: Partial<TimelineFilterState>) => onChange({ ...value, ...patch });
  const any = value.actionType || value.source || value.fromDay || value.toDay;
  return (
    <div className="toolbar timeline-filters" role="group" aria-label="Filter the timeline">
      <label className="select">
        <span>Action</span>
        <select
          aria-label="Action type"
          value={value.actionType}
          onChange={(e) => set({ actionType: e.target.value as ActionType | '' })}
        >
          <option value="">All actions</option>
          <ActionTypeOptions />
        </select>
      </label>
      <label className="select">
        <span>Source</span>
        <select aria-label="Source" value={value.source} onChange={(e) => set({ source: e.target.value as SourceSystem | '' })}>
          <option value="">All sources</option>
          {SOURCE_SYSTEMS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="select">
        <span>From</span>
        <input type="date" aria-label="From date" value={value.fromDay} onChange={(e) => set({ fromDay: e.target.value })} />
      </label>
      <label className="select">
        <span>To</span>
        <input type="date" aria-label="To date" value={value.toDay} onChange={(e) => set({ toDay: e.target.value })} />
      </label>
      {any ? (
        <button type="button" className="btn btn-ghost" onClick={() => onChange(EMPTY_FILTER)}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

function Metadata({ metadata }: { metadata: Record<string, unknown> }) {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return null;
  return (
    <dl className="metadata">
      {entries.slice(0, 8).map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

function EventRow({ item, showMember }: { item: TimelineItem; showMember: boolean }) {
  const { go } = useNavigation();
  return (
    <li className="event" data-testid="timeline-event" tabIndex={-1}>
      <time className="event-time muted" dateTime={item.occurred_at}>
        {timeLabel(item.occurred_at)}
      </time>
      <div className="event-main">
        <div className="event-title">
          <span className={`action action-${item.action_type}`}>{actionLabel(item.action_type)}</span>
          {item.target_type ? (
            <span className="muted">
              {' '}
              · {item.target_type}
              {item.target_id ? ` ${item.target_id}` : ''}
            </span>
          ) : null}
          {showMember ? (
            <>
              {' '}
              by{' '}
              <button type="button" className="link" onClick={() => go({ screen: 'member', id: item.user_id })}>
                {item.user_name ?? item.user_id}
              </button>
            </>
          ) : null}
        </div>
        <Metadata metadata={item.metadata} />
      </div>
      <div className="event-badges">
        <SourceBadge source={item.source_system} />
        {item.pending ? <PendingBadge /> : null}
      </div>
    </li>
  );
}

/** The action timeline: grouped by day under sticky headers, paged by the contract's cursor as it scrolls. */
export function Timeline({ filter, showMember }: { filter: TimelineFilter; showMember: boolean }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const [sentinelVisible, setSentinelVisible] = useState(false);
  const pages = useInfiniteQuery({
    queryKey: qk.timeline(filter),
    queryFn: ({ pageParam }) => call('timeline.page', { ...filter, limit: PAGE, after: pageParam }),
    initialPageParam: null as { occurredAt: string; id: string } | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

  // New filters show their newest events, not the scroll position of the old list.
  const filterKey = JSON.stringify(filter);
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [filterKey]);

  useEffect(() => {
    const el = sentinelRef.current;
    const root = scrollRef.current;
    if (!el || !root) return;
    const io = new IntersectionObserver((entries) => setSentinelVisible(entries.some((e) => e.isIntersecting)), {
      root,
      rootMargin: '400px 0px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [pages.isPending]);

  useEffect(() => {
    if (sentinelVisible && pages.hasNextPage && !pages.isFetchingNextPage && !pages.isFetching) void pages.fetchNextPage();
  }, [sentinelVisible, pages]);

  // True per-day totals for the headers: a day's events may span several pages.
  const daily = useQuery({ queryKey: qk.dailyCounts(filter), queryFn: () => call('timeline.dailyCounts', filter) });
  const dayTotals = useMemo(() => new Map(daily.data?.days.map((d) => [d.day, d.count])), [daily.data]);

  if (pages.isPending) return <Loading label="Loading activity…" />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  const items = pages.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty title="No activity">Nothing matches these filters.</Empty>;
  const groups = groupByDay(items);
  return (
    <div
      className="timeline"
      ref={scrollRef}
      tabIndex={0}
      aria-label="Activity timeline (j and k move between events)"
      data-testid="timeline"
      onKeyDown={(e) => {
        const step = listStep(e);
        if (step === 0 || !scrollRef.current) return;
        // Move focus event by event; the browser scrolls it into view and the sentinel pages on.
        const events = Array.from(scrollRef.current.querySelectorAll<HTMLElement>('li.event'));
        const at = events.findIndex((el) => el === document.activeElement);
        const next = events[at === -1 ? 0 : Math.max(0, Math.min(events.length - 1, at + step))];
        if (next) {
          e.preventDefault();
          next.focus();
        }
      }}
    >
      {groups.map((g) => (
        <section key={g.day} className="day" aria-label={dayLabel(g.day)}>
          <h3 className="day-header">
            {dayLabel(g.day)}{' '}
            <span className="muted small">
              {(dayTotals.get(g.day) ?? g.items.length).toLocaleString()} action
              {(dayTotals.get(g.day) ?? g.items.length) === 1 ? '' : 's'}
            </span>
          </h3>
          <ul className="events">
            {g.items.map((item) => (
              <EventRow key={item.id} item={item} showMember={showMember} />
            ))}
          </ul>
        </section>
      ))}
      <div ref={sentinelRef} className="list-foot muted" data-testid="timeline-foot">
        {pages.isFetchingNextPage ? 'Loading more…' : pages.hasNextPage ? ' ' : `All ${items.length.toLocaleString()} events shown`}
      </div>
    </div>
  );
}
