import { useNavigation, type TimelineFilterState } from '../lib/navigation.js';
import { EMPTY_FILTER, isReversed, ReversedRange, Timeline, TimelineFilters, toTimelineFilter } from '../components/Timeline.js';
import { ExportTimelineButton } from '../components/ExportTimelineButton.js';
import { useShellActions } from '../lib/shellActions.js';
import { Icon } from '../components/Icon.js';
import { FirstSyncState, useFirstSync } from '../components/FirstSyncState.js';

export function ActivityScreen() {
  const { route, replace } = useNavigation();
  const filter = (route.screen === 'activity' ? route.filter : undefined) ?? EMPTY_FILTER;
  const setFilter = (next: TimelineFilterState) => replace({ screen: 'activity', filter: next });
  const actions = useShellActions();
  const contractFilter = toTimelineFilter(null, filter);
  const firstSync = useFirstSync();
  if (firstSync) {
    return (
      <div className="screen screen-activity">
        <h1>Recent activity</h1>
        <FirstSyncState status={firstSync} />
      </div>
    );
  }
  return (
    <div className="screen screen-activity">
      <header className="screen-header">
        <div>
          <h1>Recent activity</h1>
          <p className="muted">What every member did, newest first.</p>
        </div>
        <button type="button" className="btn" onClick={() => actions.recordAction()}>
          <Icon name="plus" /> Record an action
        </button>
      </header>
      <TimelineFilters value={filter} onChange={setFilter} actions={<ExportTimelineButton filter={contractFilter} name="recent-activity" />} />
      {isReversed(filter) ? <ReversedRange filter={filter} /> : <Timeline filter={contractFilter} showMember />}
    </div>
  );
}
