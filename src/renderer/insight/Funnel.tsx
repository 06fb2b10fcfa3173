import type { CohortInsight } from '../../shared/insight.js';
import { percent } from './words.js';

const STEP_LABEL: Record<CohortInsight['funnel'][number]['key'], string> = {
  enrolled: 'Enrolled',
  started: 'Started a module',
  completedModule: 'Completed a module',
  completedCourse: 'Completed the course',
};

/** Enrolled → started → completed a module → completed the course, with counts and shares of enrolled. */
export function Funnel({ steps }: { steps: CohortInsight['funnel'] }) {
  const enrolled = steps[0]?.count ?? 0;
  return (
    <ol className="funnel" data-testid="funnel">
      {steps.map((s) => (
        <li key={s.key} className="funnel-step">
          <span className="funnel-label">{STEP_LABEL[s.key]}</span>
          <span className="funnel-track" aria-hidden="true">
            <span className="funnel-bar" style={{ width: enrolled === 0 ? 0 : `${Math.max(1, (100 * s.count) / enrolled)}%` }} />
          </span>
          <span className="funnel-count">
            <strong>{s.count.toLocaleString()}</strong> <span className="muted">{percent(s.count, enrolled)}</span>
          </span>
        </li>
      ))}
    </ol>
  );
}
