import { ACTION_TYPES, type ActionType } from '../../shared/enums.js';
import type { CohortInsight } from '../../shared/insight.js';
import { actionLabel } from '../components/Badges.js';
import { dateLabel } from '../lib/dates.js';

/** Actions per week stacked by type; the cohort's run is shaded. A table of the same numbers is one click away. */
export function WeeklyActivity({ weeks }: { weeks: CohortInsight['weeks'] }) {
  if (weeks.length === 0) return <p className="muted">No activity yet: the cohort has not started and no action is linked to it.</p>;
  const totals = weeks.map((w) => ACTION_TYPES.reduce((s, t) => s + w.counts[t], 0));
  const max = Math.max(1, ...totals);
  const all = totals.reduce((a, b) => a + b, 0);
  const present = ACTION_TYPES.filter((t) => weeks.some((w) => w.counts[t] > 0));
  const width = Math.max(weeks.length * 18, 300);
  const height = 140;
  const bar = width / weeks.length;
  const busiest = weeks[totals.indexOf(Math.max(...totals))]!;
  const label = `${all.toLocaleString()} actions over ${weeks.length} weeks from ${dateLabel(weeks[0]!.week)}; busiest week ${dateLabel(busiest.week)} with ${Math.max(...totals).toLocaleString()}.`;
  return (
    <figure className="weekly-chart">
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
        {weeks.map((w, i) => (w.inRun ? <rect key={`run-${w.week}`} x={i * bar} y={0} width={bar} height={height} className="weekly-run" /> : null))}
        {weeks.map((w, i) => {
          let y = height;
          return (
            <g key={w.week}>
              <title>{`Week of ${dateLabel(w.week)}: ${totals[i]!.toLocaleString()} actions`}</title>
              {ACTION_TYPES.map((t) => {
                const n = w.counts[t];
                if (n === 0) return null;
                const h = (n / max) * (height - 4);
                y -= h;
                return <rect key={t} x={i * bar + 1} y={y} width={Math.max(bar - 2, 1)} height={h} className={`type-${t}`} />;
              })}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-axis muted small">
        <span>{dateLabel(weeks[0]!.week)}</span>
        <span>{all.toLocaleString()} actions · shaded: the cohort’s run</span>
        <span>{dateLabel(weeks[weeks.length - 1]!.week)}</span>
      </figcaption>
      <ul className="legend" aria-label="Action types">
        {present.map((t) => (
          <li key={t}>
            <span className={`swatch type-${t}`} aria-hidden="true" />
            {actionLabel(t)}
          </li>
        ))}
      </ul>
      <details className="as-table">
        <summary>Show as a table</summary>
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Week of</th>
                {present.map((t) => (
                  <th scope="col" key={t}>
                    {actionLabel(t)}
                  </th>
                ))}
                <th scope="col">All</th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w, i) => (
                <tr key={w.week}>
                  <th scope="row">
                    {dateLabel(w.week)}
                    {w.inRun ? '' : ' (outside the run)'}
                  </th>
                  {present.map((t: ActionType) => (
                    <td key={t}>{w.counts[t]}</td>
                  ))}
                  <td>{totals[i]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
