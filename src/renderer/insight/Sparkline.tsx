import { dateLabel } from '../lib/dates.js';

/** Weekly active enrollments over a cohort's run, as small bars; the words are in its label. */
export function Sparkline({ weekly, enrolled }: { weekly: readonly { week: string; active: number }[]; enrolled: number }) {
  if (weekly.length === 0) return <span className="muted small">Not started</span>;
  const max = Math.max(1, ...weekly.map((w) => w.active));
  const width = 120;
  const height = 28;
  const bar = width / weekly.length;
  const first = weekly[0]!;
  const last = weekly[weekly.length - 1]!;
  const peak = weekly.reduce((p, w) => (w.active > p.active ? w : p), first);
  const label =
    `Weekly active over ${weekly.length} week${weekly.length === 1 ? '' : 's'} from ${dateLabel(first.week)}: ` +
    `${weekly.map((w) => w.active).join(', ')}. Busiest week ${dateLabel(peak.week)} with ${peak.active} of ${enrolled} enrolled; last week ${last.active}.`;
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      {weekly.map((w, i) => {
        const h = w.active === 0 ? 1 : Math.max(2, (w.active / max) * (height - 2));
        return (
          <rect
            key={w.week}
            x={i * bar + 0.5}
            y={height - h}
            width={Math.max(bar - 1.5, 1)}
            height={h}
            className={w.active === 0 ? 'spark-zero' : 'spark-bar'}
          />
        );
      })}
    </svg>
  );
}
