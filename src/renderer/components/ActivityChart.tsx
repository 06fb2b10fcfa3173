import { useMemo } from 'react';
import { dateLabel } from '../lib/dates.js';
import { fillDays, type DayCount } from '../lib/fillDays.js';

export function ActivityChart({ days }: { days: readonly DayCount[] }) {
  const filled = useMemo(() => fillDays(days), [days]);
  if (filled.length === 0) return null;
  const max = Math.max(...filled.map((d) => d.count), 1);
  const total = filled.reduce((s, d) => s + d.count, 0);
  const width = Math.max(filled.length * 4, 200);
  const height = 64;
  const bar = width / filled.length;
  const first = filled[0]!;
  const last = filled[filled.length - 1]!;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${total.toLocaleString()} actions between ${dateLabel(first.day)} and ${dateLabel(last.day)}, at most ${max} in a day`}
      >
        {filled.map((d, i) =>
          d.count > 0 ? (
            <rect
              key={d.day}
              x={i * bar}
              y={height - (d.count / max) * height}
              width={Math.max(bar - 0.5, 0.8)}
              height={(d.count / max) * height}
              className="chart-bar"
            >
              <title>{`${dateLabel(d.day)}: ${d.count}`}</title>
            </rect>
          ) : null,
        )}
      </svg>
      <figcaption className="chart-axis muted small">
        <span>{dateLabel(first.day)}</span>
        <span>
          {total.toLocaleString()} actions · busiest day {max}
        </span>
        <span>{dateLabel(last.day)}</span>
      </figcaption>
    </figure>
  );
}
