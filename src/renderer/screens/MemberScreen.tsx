import { useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { addDays } from '../../shared/timeZones.js';
import { enrollmentLabel } from '../../shared/enrollmentLabel.js';
import { call, CallError } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dateLabel, dayStart, displayTimeZone, durationSince, today } from '../lib/dates.js';
import { useNavigation, useScrollMemory, type TimelineFilterState } from '../lib/navigation.js';
import { useShellActions } from '../lib/shellActions.js';
import { useNow } from '../lib/useNow.js';
import { Avatar, PendingBadge, RoleChip, StageBadge } from '../components/Badges.js';
import { ActivityChart } from '../components/ActivityChart.js';
import { EMPTY_FILTER, isReversed, ReversedRange, Timeline, TimelineFilters, toTimelineFilter } from '../components/Timeline.js';
import { ExportTimelineButton } from '../components/ExportTimelineButton.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { Icon } from '../components/Icon.js';

/** The chart's window: the last twelve months, up to today. */
const CHART_DAYS = 365;

export function MemberScreen({ id }: { id: string }) {
  const { route, go, back, replace } = useNavigation();
  const actions = useShellActions();
  const now = useNow();
  const screenRef = useRef<HTMLDivElement>(null);
  const filter = (route.screen === 'member' ? route.filter : undefined) ?? EMPTY_FILTER;
  const setFilter = (next: TimelineFilterState) => replace({ screen: 'member', id, filter: next });
  const member = useQuery({ queryKey: qk.member(id), queryFn: () => call('member.get', { id }) });
  // The chart covers the last year up to today, whatever the timeline's filters.
  const lastDay = today(now);
  const firstDay = addDays(lastDay, -(CHART_DAYS - 1));
  const dailyInput = { ...toTimelineFilter(id, EMPTY_FILTER), from: dayStart(firstDay), timeZone: displayTimeZone() };
  const daily = useQuery({ queryKey: qk.dailyCounts(dailyInput), queryFn: () => call('timeline.dailyCounts', dailyInput) });
  useScrollMemory('screen', screenRef, member.isSuccess && daily.isSuccess);

  if (member.isPending) return <Loading label="Loading member…" />;
  if (member.isError) {
    if (member.error instanceof CallError && member.error.code === 'not_found') return <MemberGone id={id} onBack={back} />;
    return <ErrorState error={member.error} onRetry={() => void member.refetch()} />;
  }
  const { user, enrollments, champions, actionCount } = member.data;
  const timelineFilter = toTimelineFilter(id, filter);
  const pickedDay = filter.fromDay && filter.fromDay === filter.toDay ? filter.fromDay : null;

  return (
    <div className="screen screen-member" ref={screenRef}>
      <button type="button" className="btn btn-ghost back" onClick={back}>
        <Icon name="back" /> Back
      </button>
      <header className="profile">
        <Avatar name={user.name} memberId={user.id} hasPhoto={user.profile_img !== null} size={64} />
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
                  <th scope="col">Course and cohort</th>
                  <th scope="col">Status</th>
                  <th scope="col">Enrolled</th>
                </tr>
              </thead>
              <tbody>
                {enrollments.map((e) => (
                  <tr key={e.id}>
                    <td title={e.cohort_id ?? undefined}>{enrollmentLabel(e.course_name, e.cohortName)}</td>
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
              <button
                type="button"
                className="btn btn-small"
                onClick={() => actions.addCandidate({ cohortId: null, user: { id: user.id, name: user.name } })}
              >
                Add as a candidate
              </button>
            </Empty>
          ) : (
            <ul className="champion-rows">
              {champions.map((c) => (
                <li key={c.champion.id}>
                  <StageBadge stage={c.champion.stage} />
                  <button type="button" className="link" onClick={() => go({ screen: 'champions', cohortId: c.champion.cohort_id })}>
                    {c.cohortName ?? 'Global (ongoing)'}
                  </button>
                  {c.enteredStageAt ? <span className="muted small">time in stage: {durationSince(c.enteredStageAt, now)}</span> : null}
                  {c.pending ? <PendingBadge /> : null}
                  {c.openConflicts > 0 ? <span className="badge badge-conflict">Conflict</span> : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="panel" aria-labelledby="activity-title">
        <h2 id="activity-title">
          Activity{' '}
          <span className="muted small">
            {actionCount.toLocaleString()} action{actionCount === 1 ? '' : 's'}
          </span>
        </h2>
        {daily.data ? (
          <ActivityChart
            days={daily.data.days}
            from={firstDay}
            to={lastDay}
            selectedDay={pickedDay}
            onPickDay={(day) => setFilter({ ...filter, fromDay: day, toDay: day })}
          />
        ) : daily.isError ? (
          <ErrorState error={daily.error} />
        ) : null}
        <TimelineFilters value={filter} onChange={setFilter} actions={<ExportTimelineButton filter={timelineFilter} name={user.name} />} />
        {isReversed(filter) ? <ReversedRange filter={filter} /> : <Timeline filter={timelineFilter} showMember={false} ownScroll={false} />}
      </section>
    </div>
  );
}

/**
 * A member page whose member is not on this laptop (issue 13): they left the coordinator's
 * communities (their rows were removed at the last sync), or were erased. Said in plain words.
 */
function MemberGone({ id, onBack }: { id: string; onBack: () => void }) {
  const left = useQuery({ queryKey: qk.memberLeftScope(id), queryFn: () => call('member.leftScope', { id }) });
  return (
    <div className="screen screen-member">
      <button type="button" className="btn btn-ghost back" onClick={onBack}>
        <Icon name="back" /> Back
      </button>
      {left.isPending ? (
        <Loading label="Loading member…" />
      ) : left.data?.left ? (
        <div className="state state-empty" role="status" data-testid="member-left-scope">
          <strong>This member is no longer in your communities</strong>
          <div className="muted">
            Their details were removed from this laptop when they left the communities you look after. Changes you made about them that were not yet
            sent are still sent, and any the server refuses stay listed on the Sync screen with your text.
          </div>
        </div>
      ) : (
        <div className="state state-empty" role="status">
          <strong>This member is not on this laptop</strong>
          <div className="muted">They may have been removed from the platform, or are not in your communities.</div>
        </div>
      )}
    </div>
  );
}
