import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { dayLabel, dayShortLabel, monthLabel } from '../lib/dates.js';
import { fillDays, type DayCount } from '../lib/fillDays.js';

/**
 * A member's actions per day over a fixed window ending today, whatever the timeline's filters
 * and however old their first action: an old action can never stretch the axis over decades.
 * Month ticks below, the busiest day's count as the scale, a tooltip per day (pointer, or the
 * arrow keys once the chart has focus), and a click or Enter shows that day in the timeline.
 */
export function ActivityChart({
  days,
  from,
  to,
  selectedDay,
  onPickDay,
}: {
  days: readonly DayCount[];
  /** First and last calendar day shown (the last is today). */
  from: string;
  to: string;
  selectedDay: string | null;
  onPickDay: (day: string) => void;
}) {
  const filled = useMemo(() => fillDays(days, from, to), [days, from, to]);
  const [hover, setHover] = useState<number | null>(null);
  const tipId = useId();
  const max = Math.max(...filled.map((d) => d.count), 1);
  const total = filled.reduce((s, d) => s + d.count, 0);
  const n = filled.length;
  const height = 64;
  const ticks = filled.flatMap((d, i) => (d.day.endsWith('-01') ? [{ i, day: d.day }] : []));
  const shown = hover !== null ? filled[hover] : undefined;

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const at = hover ?? n - 1;
    const step = { ArrowLeft: -1, ArrowRight: 1, PageUp: -30, PageDown: 30, Home: -n, End: n }[e.key];
    if (step !== undefined) {
      e.preventDefault();
      setHover(Math.max(0, Math.min(n - 1, at + step)));
    } else if ((e.key === 'Enter' || e.key === ' ') && shown) {
      e.preventDefault();
      onPickDay(shown.day);
    }
  };

  return (
    <figure className="chart" data-testid="activity-chart" data-first-day={from} data-last-day={to}>
      <div
        className="chart-plot"
        role="group"
        tabIndex={0}
        aria-label={`${total.toLocaleString()} action${total === 1 ? '' : 's'} from ${dayShortLabel(from)} to ${dayShortLabel(to)}. Arrow keys pick a day, Enter shows it in the timeline.`}
        aria-describedby={shown ? tipId : undefined}
        onKeyDown={onKey}
        onMouseLeave={() => setHover(null)}
        onBlur={() => setHover(null)}
      >
        <span className="chart-scale muted small" aria-hidden="true">
          {max} a day
        </span>
        <svg viewBox={`0 0 ${n} ${height}`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
          {filled.map((d, i) =>
            d.count > 0 ? (
              <rect
                key={`b${d.day}`}
                x={i + 0.1}
                y={height - Math.max(1.5, (d.count / max) * height)}
                width={0.8}
                height={Math.max(1.5, (d.count / max) * height)}
                className={d.day === selectedDay ? 'chart-bar selected' : hover === i ? 'chart-bar hover' : 'chart-bar'}
              />
            ) : null,
          )}
          {filled.map((d, i) => (
            <rect
              key={d.day}
              x={i}
              y={0}
              width={1}
              height={height}
              className="chart-hit"
              data-day={d.day}
              data-count={d.count}
              onMouseEnter={() => setHover(i)}
              onClick={() => onPickDay(d.day)}
            />
          ))}
        </svg>
        {shown ? (
          <div
            // Near either end the tooltip hangs inwards, so it never leaves the panel.
            className={`chart-tooltip${(hover! + 0.5) / n > 0.85 ? ' at-end' : (hover! + 0.5) / n < 0.15 ? ' at-start' : ''}`}
            role="tooltip"
            id={tipId}
            style={{ left: `${((hover! + 0.5) / n) * 100}%` }}
          >
            <strong>{dayLabel(shown.day)}</strong>
            <span>
              {shown.count.toLocaleString()} action{shown.count === 1 ? '' : 's'}
            </span>
          </div>
        ) : null}
      </div>
      <div className="chart-ticks" aria-hidden="true">
        {ticks.map((t, k) => (
          <span key={t.day} className="chart-tick small muted" style={{ left: `${(t.i / n) * 100}%` }}>
            {monthLabel(t.day, k === 0 || t.day.slice(5, 7) === '01')}
          </span>
        ))}
      </div>
      <figcaption className="chart-axis muted small">
        <span>{dayShortLabel(from)}</span>
        <span>
          {total === 0
            ? 'No activity in this period'
            : `${total.toLocaleString()} action${total === 1 ? '' : 's'} in the last 12 months · busiest day ${max}`}
        </span>
        <span>{dayShortLabel(to)} (today)</span>
      </figcaption>
    </figure>
  );
}
