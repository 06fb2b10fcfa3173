import type { CohortInsight } from '../../shared/insight.js';
import { percent } from './words.js';

/** Per module, in order: how many started and how many completed it, out of everyone enrolled. */
export function ModuleProgress({ modules, enrolled, unnumbered }: { modules: CohortInsight['modules']; enrolled: number; unnumbered: number }) {
  if (modules.length === 0) {
    return <p className="muted">No module has been started yet{unnumbered > 0 ? ` (${unnumbered} module actions name no module)` : ''}.</p>;
  }
  return (
    <>
      <table className="table modules-table" data-testid="modules">
        <thead>
          <tr>
            <th scope="col">Module</th>
            <th scope="col">Started</th>
            <th scope="col">Completed</th>
            <th scope="col" className="modules-bar-col">
              <span className="sr-only">Completed, as a bar</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {modules.map((m) => (
            <tr key={m.module}>
              <th scope="row">Module {m.module}</th>
              <td>{m.started.toLocaleString()}</td>
              <td>
                {m.completed.toLocaleString()} <span className="muted small">{percent(m.completed, enrolled)}</span>
              </td>
              <td aria-hidden="true" className="modules-bar-col">
                <span className="module-track">
                  <span className="module-started" style={{ width: enrolled === 0 ? 0 : `${(100 * m.started) / enrolled}%` }} />
                  <span className="module-completed" style={{ width: enrolled === 0 ? 0 : `${(100 * m.completed) / enrolled}%` }} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {unnumbered > 0 ? (
        <p className="muted small">
          {unnumbered.toLocaleString()} module action{unnumbered === 1 ? '' : 's'} name no module number: they count in the funnel, not here.
        </p>
      ) : null}
    </>
  );
}
