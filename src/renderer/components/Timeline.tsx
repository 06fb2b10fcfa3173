import { useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { SOURCE_SYSTEMS, type ActionType, type SourceSystem } from '../../shared/enums.js';
import type { TimelineFilter, TimelineItem } from '../../shared/ipc.js';
import { TIMESTAMP_MIN } from '../../shared/limits.js';
import { detailsOf, idsOf, SOURCE_LABELS, targetLabel } from '../../shared/labels.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dayEndExclusive, dayLabel, dayShortLabel, dayStart, displayTimeZone, localDay, timeLabel, today } from '../lib/dates.js';
import { groupByDay } from '../lib/groupByDay.js';
import { listStep } from '../lib/keyboard.js';
import { EMPTY_FILTER, useNavigation, useScrollMemory, type TimelineFilterState } from '../lib/navigation.js';
import { ActionTypeOptions } from './ActionTypeOptions.js';
import { actionLabel, PendingBadge, SourceBadge } from './Badges.js';
import { Empty, ErrorState, Loading } from './States.js';

export { EMPTY_FILTER, type TimelineFilterState };

const PAGE = 50;
const FIRST_DAY = TIMESTAMP_MIN.slice(0, 10);

/** From is after To: nothing can match, and the screen says why instead of "No activity". */
export const isReversed = (f: TimelineFilterState): boolean => f.fromDay !== '' && f.toDay !== '' && f.fromDay > f.toDay;

/** The screen's filter controls as the contract's TimelineFilter (date range inclusive of both days, in the display zone). */
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
  actions,
}: {
  value: TimelineFilterState;
  onChange: (next: TimelineFilterState) => void;
  /** Buttons at the end of the bar (Export CSV). */
  actions?: ReactNode;
}) {
  const set = (patch: Partial<TimelineFilterState>) => onChange({ ...value, ...patch });
  const any = value.actionType || value.source || value.fromDay || value.toDay;
  const last = today();
  return (
    <div className="toolbar timeline-filters" role="group" aria-label="Filter the timeline">
      <label className="select">
        <span>Action</span>
        <select aria-label="Action type" value={value.actionType} onChange={(e) => set({ actionType: e.target.value as ActionType | '' })}>
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
              {SOURCE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className="select">
        <span>From</span>
        <input
          type="date"
          aria-label="From date"
          min={FIRST_DAY}
          max={last}
          value={value.fromDay}
          onChange={(e) => set({ fromDay: e.target.value })}
        />
      </label>
      <label className="select">
        <span>To</span>
        <input type="date" aria-label="To date" min={FIRST_DAY} max={last} value={value.toDay} onChange={(e) => set({ toDay: e.target.value })} />
      </label>
      {any ? (
        <button type="button" className="btn btn-ghost" onClick={() => onChange(EMPTY_FILTER)}>
          Clear filters
        </button>
      ) : null}
      {actions ? <div className="toolbar-end">{actions}</div> : null}
    </div>
  );
}

/** One detail: cut to a line; "Show more" opens it in place when there is more to read. */
function Detail({ label, value }: { label: string; value: string }) {
  const [open, setOpen] = useState(false);
  const [overflows, setOverflows] = useState(false);
  const ref = useRef<HTMLSpanElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || open) return;
    const measure = () => setOverflows(el.scrollWidth > el.clientWidth + 1);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [value, open]);
  return (
    <div className={open ? 'detail-open' : undefined}>
      <dt>{label}</dt>
      <dd>
        <span className="detail-text" ref={ref}>
          {value}
        </span>
        {overflows || open ? (
          <button type="button" className="link small show-more" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
            {open ? 'Show less' : 'Show more'}
          </button>
        ) : null}
      </dd>
    </div>
  );
}

function EventRow({ item, showMember, cohortNames }: { item: TimelineItem; showMember: boolean; cohortNames: ReadonlyMap<string, string> }) {
  const { go } = useNavigation();
  const target = targetLabel({
    targetType: item.target_type,
    targetId: item.target_id,
    metadata: item.metadata,
    courseName: item.courseName,
    cohortName: item.cohortName,
    cohortNames,
  });
  const details = detailsOf(item.metadata, item.target_type);
  const ids = idsOf(item.target_id, item.metadata);
  return (
    <li className="event" data-testid="timeline-event" tabIndex={-1}>
      <time className="event-time muted" dateTime={item.occurred_at} title={item.occurred_at}>
        {timeLabel(item.occurred_at)}
      </time>
      <div className="event-main">
        <div className="event-title">
          <span className={`action action-${item.action_type}`}>{actionLabel(item.action_type)}</span>
          {target ? (
            <span className="muted" title={ids || undefined}>
              {' '}
              · {target}
            </span>
          ) : null}
          {showMember ? (
            <>
              {' '}
              by{' '}
              <button type="button" className="link" onClick={() => go({ screen: 'member', id: item.user_id })}>
                {item.userName ?? 'a member not on this laptop'}
              </button>
            </>
          ) : null}
        </div>
        {details.length > 0 ? (
          <dl className="metadata">
            {details.slice(0, 8).map((d) => (
              <Detail key={d.key} label={d.label} value={d.value} />
            ))}
          </dl>
        ) : null}
      </div>
      <div className="event-badges">
        <SourceBadge source={item.source_system} />
        {item.pending ? <PendingBadge /> : null}
      </div>
    </li>
  );
}

/**
 * The action timeline: grouped by day (in the display zone) under sticky headers, paged by the
 * contract's cursor as it comes into view. `ownScroll`: a scroll box of its own (Recent
 * activity); without it the timeline grows with its page (a member's page scrolls as one).
 */
export function Timeline({ filter, showMember, ownScroll = true }: { filter: TimelineFilter; showMember: boolean; ownScroll?: boolean }) {
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
  const cohorts = useQuery({ queryKey: qk.cohorts(), queryFn: () => call('cohorts.list', {}) });
  const cohortNames = useMemo(() => new Map((cohorts.data?.cohorts ?? []).map((c) => [c.id, c.name])), [cohorts.data]);

  // New filters show their newest events, not the scroll position of the old list.
  const filterKey = JSON.stringify(filter);
  const firstFilter = useRef(filterKey);
  useEffect(() => {
    if (firstFilter.current === filterKey) return;
    firstFilter.current = '';
    if (ownScroll) scrollRef.current?.scrollTo({ top: 0 });
  }, [filterKey, ownScroll]);
  const noScrollBox = useRef<HTMLDivElement>(null);
  useScrollMemory('timeline', ownScroll ? scrollRef : noScrollBox, !pages.isPending);

  useEffect(() => {
    const el = sentinelRef.current;
    if (!el) return;
    const io = new IntersectionObserver((entries) => setSentinelVisible(entries.some((e) => e.isIntersecting)), {
      root: ownScroll ? scrollRef.current : null,
      rootMargin: '400px 0px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [pages.isPending, ownScroll]);

  useEffect(() => {
    if (sentinelVisible && pages.hasNextPage && !pages.isFetchingNextPage && !pages.isFetching) void pages.fetchNextPage();
  }, [sentinelVisible, pages]);

  // True per-day totals for the headers: a day's events may span several pages.
  const dailyInput = { ...filter, timeZone: displayTimeZone() };
  const daily = useQuery({ queryKey: qk.dailyCounts(dailyInput), queryFn: () => call('timeline.dailyCounts', dailyInput) });
  const dayTotals = useMemo(() => new Map(daily.data?.days.map((d) => [d.day, d.count])), [daily.data]);

  if (pages.isPending) return <Loading label="Loading activity…" />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  const items = pages.data.pages.flatMap((p) => p.items);
  if (items.length === 0) return <Empty title="No activity">Nothing matches these filters.</Empty>;
  const groups = groupByDay(items, localDay);
  const total = items.length;
  return (
    <div
      className={ownScroll ? 'timeline' : 'timeline timeline-flow'}
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
      {groups.map((g) => {
        const n = dayTotals.get(g.day) ?? g.items.length;
        return (
          <section key={g.day} className="day" aria-label={dayLabel(g.day)} data-day={g.day}>
            <h3 className="day-header">
              {dayLabel(g.day)}{' '}
              <span className="muted small">
                {n.toLocaleString()} action{n === 1 ? '' : 's'}
              </span>
            </h3>
            <ul className="events">
              {g.items.map((item) => (
                <EventRow key={item.id} item={item} showMember={showMember} cohortNames={cohortNames} />
              ))}
            </ul>
          </section>
        );
      })}
      <div ref={sentinelRef} className="list-foot muted" data-testid="timeline-foot">
        {pages.isFetchingNextPage
          ? 'Loading more…'
          : pages.hasNextPage
            ? ' '
            : total === 1
              ? 'This is the only event'
              : `All ${total.toLocaleString()} events shown`}
      </div>
    </div>
  );
}

/** Said instead of "No activity" when the range cannot match anything. */
export function ReversedRange({ filter }: { filter: TimelineFilterState }) {
  return (
    <div className="state state-empty" role="status" data-testid="range-reversed">
      <strong>The dates are the wrong way round</strong>
      <div className="muted">
        “From” ({dayShortLabel(filter.fromDay)}) is after “To” ({dayShortLabel(filter.toDay)}). Swap them to see the activity in between.
      </div>
    </div>
  );
}
