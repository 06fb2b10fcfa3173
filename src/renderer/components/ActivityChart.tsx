import { useMemo } from 'react';
import { dateLabel } from '../lib/dates.js';

export interface DayCount {
  day: string;
  count: number;
}

/**
 * Fills the days between the first and the last active day with zeros, so bars sit on a
 * true time axis (a quiet month shows as a gap, not as nothing).
 */
export function fillDays(days: readonly DayCount[]): DayCount[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const byDay = new Map(sorted.map((d) => [d.day, d.count]));
  const out: DayCount[] = [];
  const cursor = new Date(`${sorted[0]!.day}T00:00:00Z`);
  const last = sorted[sorted.length - 1]!.day;
  for (let guard = 0; guard < 20_000; guard++) {
    const day = cursor.toISOString().slice(0, 10);
    out.push({ day, count: byDay.get(day) ?? 0 });
    if (day >= last) break;
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return out;
}

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
