import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dateLabel, durationSince } from '../lib/dates.js';
import { useNavigation } from '../lib/navigation.js';
import { useShellActions } from '../lib/shellActions.js';
import { useNow } from '../lib/useNow.js';
import { Avatar, PendingBadge, RoleChip, StageBadge } from '../components/Badges.js';
import { ActivityChart } from '../components/ActivityChart.js';
import { EMPTY_FILTER, Timeline, TimelineFilters, toTimelineFilter } from '../components/Timeline.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { Icon } from '../components/Icon.js';

export function MemberScreen({ id }: { id: string }) {
  const { go, back } = useNavigation();
  const actions = useShellActions();
  const now = useNow();
  const [filter, setFilter] = useState(EMPTY_FILTER);
  const member = useQuery({ queryKey: qk.member(id), queryFn: () => call('member.get', { id }) });
  // The chart covers the member's whole local history, whatever the timeline's filters.
  const dailyFilter = toTimelineFilter(id, EMPTY_FILTER);
  const daily = useQuery({
    queryKey: qk.dailyCounts(dailyFilter),
    queryFn: () => call('timeline.dailyCounts', dailyFilter),
  });

  if (member.isPending) return <Loading label="Loading member…" />;
  if (member.isError) return <ErrorState error={member.error} onRetry={() => void member.refetch()} />;
  const { user, enrollments, champions, actionCount } = member.data;

  return (
    <div className="screen screen-member">
      <button type="button" className="btn btn-ghost back" onClick={back}>
        <Icon name="back" /> Back
      </button>
      <header className="profile">
        <Avatar name={user.name} img={user.profile_img} size={64} />
        <div className="profile-main">
          <h1>{user.name}</h1>
          <div className="muted">
            <a href={`mailto:${user.email}`}>{user.email}</a>
            {user.origin ? ` · ${user.origin}` : ''} · member since {dateLabel(user.created_at)}
          </div>
          <div className="chips">
            {user.roles.length === 0 ? <span className="muted small">No roles</span> : null}
            {user.roles.map((r) => (
              <RoleChip key={r} role={r} />
            ))}
          </div>
        </div>
        <div className="profile-actions">
          <button type="button" className="btn btn-primary" onClick={() => actions.recordAction(user.id)}>
            <Icon name="plus" /> Record an action
          </button>
        </div>
      </header>

      <div className="member-grid">
        <section className="panel" aria-labelledby="enrollments-title">
          <h2 id="enrollments-title">Enrollments</h2>
          {enrollments.length === 0 ? (
            <Empty title="No enrollments" />
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Course</th>
                  <th scope="col">Cohort</th>
                  <th scope="col">Status</th>
                  <th scope="col">Enrolled</th>
                </tr>
              </thead>
              <tbody>
                {enrollments.map((e) => (
                  <tr key={e.id}>
                    <td>{e.course_name ?? '—'}</td>
                    <td>{e.cohort_name ?? '—'}</td>
                    <td>
                      <span className={`badge status-${e.status}`}>{e.status}</span>
                    </td>
                    <td>{dateLabel(e.enrolled_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="panel" aria-labelledby="champion-title">
          <h2 id="champion-title">Champion pipeline</h2>
          {champions.length === 0 ? (
            <Empty title="Not in the pipeline">
              <button type="button" className="btn btn-small" onClick={() => actions.addCandidate({ cohortId: null, user: { id: user.id, name: user.name } })}>
                Add as a candidate
              </button>
            </Empty>
          ) : (
            <ul className="champion-rows">
              {champions.map((c) => (
                <li key={c.champion.id}>
                  <StageBadge stage={c.champion.stage} />
                  <button
                    type="button"
                    className="link"
                    onClick={() => go({ screen: 'champions', cohortId: c.champion.cohort_id })}
                  >
                    {c.cohort_name ?? 'Global (ongoing)'}
                  </button>
                  {c.entered_stage_at ? <span className="muted small">time in stage: {durationSince(c.entered_stage_at, now)}</span> : null}
                  {c.pending ? <PendingBadge /> : null}
                  {c.open_conflicts > 0 ? <span className="badge badge-conflict">Conflict</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="activity-title">
        <h2 id="activity-title">
          Activity <span className="muted small">{actionCount.toLocaleString()} actions</span>
        </h2>
        {daily.data ? <ActivityChart days={daily.data.days} /> : daily.isError ? <ErrorState error={daily.error} /> : null}
        <TimelineFilters value={filter} onChange={setFilter} />
        <Timeline filter={toTimelineFilter(id, filter)} showMember={false} />
      </section>
    </div>
  );
}
