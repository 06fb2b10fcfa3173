import { useState } from 'react';
import { EMPTY_FILTER, Timeline, TimelineFilters, toTimelineFilter } from '../components/Timeline.js';
import { useShellActions } from '../lib/shellActions.js';
import { Icon } from '../components/Icon.js';

export function ActivityScreen() {
  const [filter, setFilter] = useState(EMPTY_FILTER);
  const actions = useShellActions();
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
      <TimelineFilters value={filter} onChange={setFilter} />
      <Timeline filter={toTimelineFilter(null, filter)} showMember />
    </div>
  );
}
