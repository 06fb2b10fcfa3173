import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { CohortSummary } from '../../shared/insight.js';
import { call } from '../lib/api.js';
import { dateLabel } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { qk } from '../lib/queryKeys.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { SortHeader } from '../insight/SortHeader.js';
import { Sparkline } from '../insight/Sparkline.js';
import { useSort } from '../insight/useSort.js';
import { DEFINITIONS, percent, STATUS_LABEL } from '../insight/words.js';
import '../insight/insight.css';

type StatusFilter = 'all' | CohortSummary['cohort']['status'];
const FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'active', label: STATUS_LABEL.active },
  { value: 'planned', label: STATUS_LABEL.planned },
  { value: 'finished', label: STATUS_LABEL.finished },
];

const share = (part: number, whole: number) => (whole === 0 ? -1 : part / whole);
const COLUMNS = {
  name: (c: CohortSummary) => c.cohort.name,
  status: (c: CohortSummary) => c.cohort.status,
  starts: (c: CohortSummary) => c.cohort.starts_at,
  enrolled: (c: CohortSummary) => c.enrolled,
  active: (c: CohortSummary) => share(c.active, c.enrolled),
  completion: (c: CohortSummary) => share(c.completed, c.enrolled),
  atRisk: (c: CohortSummary) => c.atRisk,
  weekly: (c: CohortSummary) => c.weekly[c.weekly.length - 1]?.active ?? -1,
};
type Column = keyof typeof COLUMNS;

export function CohortsScreen() {
  const { go } = useNavigation();
  const [status, setStatus] = useState<StatusFilter>('all');
  // Cohort rows reach every laptop, members only those whose coordinator has them (issue 13): a
  // cohort with no one here is hidden unless asked for, so its zeros are not mistaken for a result.
  const [showEmpty, setShowEmpty] = useState(false);
  const overview = useQuery({ queryKey: qk.cohortsOverview(), queryFn: () => call('cohorts.overview', {}), placeholderData: keepPreviousData });
  const all = overview.data?.cohorts ?? [];
  const empty = all.filter((c) => c.enrolled === 0).length;
  const rows = all.filter((c) => (status === 'all' || c.cohort.status === status) && (showEmpty || c.enrolled > 0));
  const { sorted, sort, toggle } = useSort<CohortSummary, Column>(rows, COLUMNS, { key: 'starts', dir: 'desc' }, ['name', 'status']);
  const days = overview.data?.atRiskDays ?? 14;

  const header = (
    <header className="screen-header">
      <div>
        <h1>Cohorts</h1>
        <p className="muted" aria-live="polite">
          {overview.data
            ? `${overview.data.cohorts.length.toLocaleString()} cohort${overview.data.cohorts.length === 1 ? '' : 's'} · from this laptop’s data, works offline`
            : ' '}
          {overview.isFetching && overview.data ? <span className="spinner spinner-inline" aria-label="Updating" /> : null}
        </p>
      </div>
      <fieldset className="filter-group" aria-label="Status">
        <legend className="sr-only">Show cohorts by status</legend>
        {FILTERS.map((f) => (
          <label key={f.value} className={status === f.value ? 'toggle on' : 'toggle'}>
            <input type="radio" name="cohort-status" value={f.value} checked={status === f.value} onChange={() => setStatus(f.value)} />
            {f.label}
          </label>
        ))}
      </fieldset>
    </header>
  );

  if (overview.isPending)
    return (
      <div className="screen screen-cohorts">
        {header}
        <Loading label="Counting…" />
      </div>
    );
  if (overview.isError) {
    return (
      <div className="screen screen-cohorts">
        {header}
        <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />
      </div>
    );
  }
  const data = overview.data;

  return (
    <div className="screen screen-cohorts">
      {header}
      {!data.ready ? (
        <p className="notice" role="status">
          The first sync is still bringing this laptop’s data: these figures are incomplete until it finishes.
        </p>
      ) : null}
      {empty > 0 ? (
        <p className="muted small">
          {showEmpty
            ? `Showing ${empty.toLocaleString()} cohort${empty === 1 ? '' : 's'} with no members on this laptop. `
            : `${empty.toLocaleString()} cohort${empty === 1 ? ' has' : 's have'} no members on this laptop and ${empty === 1 ? 'is' : 'are'} hidden. `}
          <button type="button" className="link" onClick={() => setShowEmpty((v) => !v)}>
            {showEmpty ? 'Hide them' : 'Show them'}
          </button>
        </p>
      ) : null}
      {data.cohorts.length === 0 ? (
        <Empty title="No cohorts on this laptop yet">Cohorts arrive with the first sync.</Empty>
      ) : sorted.length === 0 ? (
        <Empty title={`No ${STATUS_LABEL[status as Exclude<StatusFilter, 'all'>]?.toLowerCase() ?? ''} cohorts`}>Choose another status above.</Empty>
      ) : (
        <div className="panel table-panel">
          <table className="table insight-table" data-testid="cohorts-table">
            <caption className="sr-only">Cohorts, sorted by {sort.key}; choose a column header to sort by it</caption>
            <thead>
              <tr>
                <SortHeader column="name" sort={sort} onSort={toggle}>
                  Cohort
                </SortHeader>
                <SortHeader column="status" sort={sort} onSort={toggle}>
                  Status
                </SortHeader>
                <SortHeader column="starts" sort={sort} onSort={toggle}>
                  Dates
                </SortHeader>
                <SortHeader column="enrolled" sort={sort} onSort={toggle} definition={DEFINITIONS.enrolled} className="num">
                  Enrolled
                </SortHeader>
                <SortHeader column="active" sort={sort} onSort={toggle} definition={DEFINITIONS.active} className="num">
                  Active, 7 days
                </SortHeader>
                <SortHeader column="completion" sort={sort} onSort={toggle} definition={DEFINITIONS.completion} className="num">
                  Completion
                </SortHeader>
                <SortHeader column="atRisk" sort={sort} onSort={toggle} definition={DEFINITIONS.atRisk(days)} className="num">
                  At risk
                </SortHeader>
                <SortHeader column="weekly" sort={sort} onSort={toggle} definition={DEFINITIONS.weekly}>
                  Weekly active
                </SortHeader>
              </tr>
            </thead>
            <tbody>
              {sorted.map((c) => (
                <tr key={c.cohort.id} data-cohort-id={c.cohort.id} className="clickable" onClick={() => go({ screen: 'cohort', id: c.cohort.id })}>
                  <th scope="row" className="cohort-name">
                    <button type="button" className="link" onClick={(e) => (e.stopPropagation(), go({ screen: 'cohort', id: c.cohort.id }))}>
                      {c.cohort.name}
                    </button>
                  </th>
                  <td>
                    <span className={`badge cohort-${c.cohort.status}`}>{STATUS_LABEL[c.cohort.status]}</span>
                  </td>
                  <td className="nowrap small">
                    {c.cohort.starts_at ? dateLabel(c.cohort.starts_at) : 'No start date'}
                    {c.cohort.ends_at ? ` – ${dateLabel(c.cohort.ends_at)}` : ''}
                  </td>
                  <td className="num">
                    {c.enrolled.toLocaleString()}
                    {c.withdrawn > 0 ? <div className="muted small">{c.withdrawn.toLocaleString()} withdrew</div> : null}
                  </td>
                  <td className="num">
                    {c.active.toLocaleString()} <span className="muted small">({percent(c.active, c.enrolled)})</span>
                  </td>
                  <td className="num">
                    {percent(c.completed, c.enrolled)} <span className="muted small">({c.completed.toLocaleString()})</span>
                  </td>
                  <td className="num">{c.atRisk > 0 ? <strong className="risk">{c.atRisk.toLocaleString()}</strong> : '0'}</td>
                  <td>
                    <Sparkline weekly={c.weekly} enrolled={c.enrolled} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="definitions" aria-labelledby="cohort-defs">
        <h2 id="cohort-defs">What the numbers mean</h2>
        <dl>
          <dt>Enrolled</dt>
          <dd>{DEFINITIONS.enrolled}</dd>
          <dt>Active, 7 days</dt>
          <dd>{DEFINITIONS.active}</dd>
          <dt>Completion</dt>
          <dd>{DEFINITIONS.completion}</dd>
          <dt>At risk</dt>
          <dd>{DEFINITIONS.atRisk(days)} The number of days is a setting: change it on any cohort’s page.</dd>
          <dt>Weekly active</dt>
          <dd>{DEFINITIONS.weekly}</dd>
          <dt>Which actions</dt>
          <dd>
            {DEFINITIONS.linked} {data.selfPaced > 0 ? DEFINITIONS.selfPaced(data.selfPaced) : null}
          </dd>
        </dl>
      </section>
    </div>
  );
}
