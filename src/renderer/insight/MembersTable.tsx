import { useState } from 'react';
import type { CohortMember } from '../../shared/insight.js';
import { dateLabel } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { SortHeader } from './SortHeader.js';
import { useSort } from './useSort.js';

const SHOWN = 50;
const COLUMNS = {
  name: (m: CohortMember) => m.name ?? m.userId,
  status: (m: CohortMember) => m.status,
  progress: (m: CohortMember) => m.modulesCompleted + (m.completedCourse ? 0.5 : 0),
  lastActive: (m: CohortMember) => m.lastActiveAt,
  threads: (m: CohortMember) => m.threads,
  replies: (m: CohortMember) => m.replies,
};
type Column = keyof typeof COLUMNS;

/** Everyone enrolled in the cohort, sortable; a name opens the member's page and timeline. */
export function MembersTable({ members, modules }: { members: CohortMember[]; modules: number }) {
  const { go } = useNavigation();
  const [showAll, setShowAll] = useState(false);
  const { sorted, sort, toggle } = useSort<CohortMember, Column>(members, COLUMNS, { key: 'progress', dir: 'desc' }, ['name', 'status']);
  if (members.length === 0) return <p className="muted">No one is enrolled in this cohort.</p>;
  const shown = showAll ? sorted : sorted.slice(0, SHOWN);
  return (
    <>
      <div className="table-scroll">
        <table className="table insight-table" data-testid="members-table">
          <caption className="sr-only">Members of this cohort; choose a column header to sort by it</caption>
          <thead>
            <tr>
              <SortHeader column="name" sort={sort} onSort={toggle}>
                Member
              </SortHeader>
              <SortHeader column="status" sort={sort} onSort={toggle}>
                Enrollment
              </SortHeader>
              <SortHeader column="progress" sort={sort} onSort={toggle}>
                Progress
              </SortHeader>
              <SortHeader column="lastActive" sort={sort} onSort={toggle}>
                Last action
              </SortHeader>
              <SortHeader column="threads" sort={sort} onSort={toggle} className="num">
                Forum posts
              </SortHeader>
              <SortHeader column="replies" sort={sort} onSort={toggle} className="num">
                Replies
              </SortHeader>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.enrollmentId}>
                <th scope="row">
                  <button type="button" className="link" onClick={() => go({ screen: 'member', id: m.userId })}>
                    {m.name ?? m.userId}
                  </button>
                </th>
                <td>
                  <span className={`badge status-${m.status}`}>{m.status}</span>
                </td>
                <td>
                  {m.completedCourse
                    ? 'Completed the course'
                    : m.modulesCompleted === 0
                      ? 'No module completed'
                      : modules >= m.modulesCompleted
                        ? `${m.modulesCompleted} of ${modules} modules`
                        : `${m.modulesCompleted} module${m.modulesCompleted === 1 ? '' : 's'}`}
                </td>
                <td className="nowrap">{m.lastActiveAt ? dateLabel(m.lastActiveAt) : <span className="muted">Never</span>}</td>
                <td className="num">{m.threads}</td>
                <td className="num">{m.replies}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted.length > SHOWN && !showAll ? (
        <button type="button" className="btn btn-small" onClick={() => setShowAll(true)}>
          Show all {sorted.length.toLocaleString()} members
        </button>
      ) : null}
    </>
  );
}
