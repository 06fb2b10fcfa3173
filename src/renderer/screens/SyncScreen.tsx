import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { dateLabel, relativeTime, timeLabel } from '../lib/dates.js';
import { useNow } from '../lib/useNow.js';
import { phaseLabel, SyncProgress, useSyncNow } from '../components/SyncStatusPanel.js';
import { ConflictPanel, groupConflicts } from '../components/ConflictPanel.js';
import { PendingChangesPanel, QuarantinePanel } from '../components/PendingChangesPanel.js';
import { Empty, ErrorState, Loading } from '../components/States.js';
import { errorText } from '../lib/api.js';

export function SyncScreen() {
  const now = useNow(10_000);
  const status = useQuery({ queryKey: qk.syncStatus(), queryFn: () => call('sync.status', {}) });
  const conflicts = useQuery({ queryKey: qk.conflicts(), queryFn: () => call('conflicts.list', {}) });
  const syncNow = useSyncNow();
  // What the last resolution did, said after its panel is gone.
  const [resolved, setResolved] = useState<string | null>(null);
  const s = status.data;
  const busy = s?.phase === 'pushing' || s?.phase === 'pulling';
  return (
    <div className="screen screen-sync">
      <header className="screen-header">
        <div>
          <h1>Sync</h1>
          <p className="muted">Your changes are saved on this laptop first and sent to the server when it can be reached.</p>
        </div>
        <button type="button" className="btn btn-primary" disabled={busy || syncNow.isPending} onClick={() => syncNow.mutate()}>
          {busy ? 'Syncing…' : 'Sync now'}
        </button>
      </header>
      {syncNow.isError ? <div className="form-error">{errorText(syncNow.error)}</div> : null}
      {!s ? (
        status.isError ? (
          <ErrorState error={status.error} />
        ) : (
          <Loading />
        )
      ) : (
        <section className="panel stats" aria-label="Sync status">
          <div className="stat">
            <span className="stat-label">Status</span>
            <span className="stat-value">{phaseLabel(s)}</span>
          </div>
          <div className="stat">
            <span className="stat-label">Pending changes</span>
            <span className="stat-value" data-testid="sync-pending">
              {s.pending}
            </span>
          </div>
          <div className="stat">
            <span className="stat-label">Conflicts</span>
            <span className="stat-value">{s.conflicts}</span>
          </div>
          <div className="stat">
            <span className="stat-label">Last synced</span>
            <span className="stat-value">{s.lastSyncedAt ? relativeTime(s.lastSyncedAt, now) : 'never'}</span>
            {s.lastSyncedAt ? (
              <span className="muted small">
                {dateLabel(s.lastSyncedAt)} {timeLabel(s.lastSyncedAt)}
              </span>
            ) : null}
          </div>
          {s.nextRetryAt && s.phase !== 'idle' ? (
            <div className="stat">
              <span className="stat-label">Next try</span>
              <span className="stat-value small">{timeLabel(s.nextRetryAt)}</span>
            </div>
          ) : null}
          <div className="stat-wide">
            <SyncProgress status={s} />
            {s.error ? (
              <div className="sync-error" role="alert">
                {s.error}
              </div>
            ) : null}
          </div>
        </section>
      )}
      <PendingChangesPanel revision={`${s?.pending ?? ''}:${s?.phase ?? ''}:${s?.lastSyncedAt ?? ''}`} />
      <QuarantinePanel revision={`${s?.phase ?? ''}:${s?.lastSyncedAt ?? ''}`} />
      <section className="panel" aria-labelledby="conflicts-title">
        <h2 id="conflicts-title">Conflicts</h2>
        <p className="muted small">
          A change the server could not apply as made. Your text is kept here until you choose: keep the server’s value, or apply yours again on top
          of it where that can still work.
        </p>
        {resolved ? (
          <p className="notice small" role="status" data-testid="conflict-resolved">
            {resolved}
          </p>
        ) : null}
        {conflicts.isPending ? (
          <Loading />
        ) : conflicts.isError ? (
          <ErrorState error={conflicts.error} onRetry={() => void conflicts.refetch()} />
        ) : conflicts.data.conflicts.length === 0 ? (
          <Empty title="No conflicts">Nothing is waiting for your decision.</Empty>
        ) : (
          <ul className="conflict-list">
            {groupConflicts(conflicts.data.conflicts).map(({ conflict, waiting }) => (
              <li key={conflict.id}>
                <ConflictPanel conflict={conflict} waiting={waiting} onResolved={setResolved} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
