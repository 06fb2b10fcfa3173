import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SyncStatus } from '../../shared/ipc.js';
import { call, errorText } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { pullFraction } from '../lib/syncProgress.js';
import { relativeTime } from '../lib/dates.js';
import { useNow } from '../lib/useNow.js';
import { useHostState } from '../lib/hostConnection.js';

export function phaseLabel(s: SyncStatus): string {
  switch (s.phase) {
    case 'pushing':
      return 'Sending changes…';
    case 'pulling':
      return 'Receiving updates…';
    case 'offline':
      return 'Offline';
    case 'error':
      return 'Sync problem';
    case 'signed_out':
      return 'Signed out';
    default:
      return s.online ? 'Online' : 'Offline';
  }
}

export function SyncProgress({ status }: { status: SyncStatus }) {
  const p = status.progress;
  if (!p) return null;
  // Before the first page lands the server has not said how much there is: no made-up numbers.
  const known = p.rowsApplied > 0 || p.remaining > 0;
  const pct = known ? Math.round(pullFraction(p) * 100) : 0;
  return (
    <div className="sync-progress">
      <div className="progress" role="progressbar" aria-label="Sync progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <div className="progress-bar" style={{ width: `${pct}%` }} />
      </div>
      <div className="muted small">
        {known
          ? `${p.rowsApplied.toLocaleString()} received${p.remaining > 0 ? ` · about ${p.remaining.toLocaleString()} to go` : ''}`
          : 'Asking the server what is new…'}
      </div>
    </div>
  );
}

export function useSyncNow() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => call('sync.now', {}),
    onSuccess: (status) => client.setQueryData(qk.syncStatus(), status),
  });
}

/** Always visible at the foot of the sidebar. */
export function SyncStatusPanel() {
  const now = useNow(15_000);
  const status = useQuery({ queryKey: qk.syncStatus(), queryFn: () => call('sync.status', {}) });
  const syncNow = useSyncNow();
  const host = useHostState();
  if (host !== 'connected') {
    // Whatever the last status said, it is not known now: the app itself cannot be reached.
    return (
      <section className="sync-panel" aria-label="Sync status" data-testid="sync-panel">
        <div className="sync-line">
          <span className="dot dot-error" aria-hidden="true" />
          <strong data-testid="sync-phase">Not connected to the app</strong>
        </div>
        <div className="sync-line small muted">Reconnecting by itself…</div>
      </section>
    );
  }
  if (!status.data) {
    return <div className="sync-panel muted">{status.isError ? errorText(status.error) : 'Checking sync…'}</div>;
  }
  const s = status.data;
  const busy = s.phase === 'pushing' || s.phase === 'pulling';
  const neverSynced = s.lastSyncedAt === null;
  const dot = s.phase === 'error' ? 'dot-error' : !s.online || s.phase === 'offline' ? 'dot-offline' : busy ? 'dot-busy' : 'dot-online';
  return (
    <section className="sync-panel" aria-label="Sync status" data-testid="sync-panel">
      <div className="sync-line">
        <span className={`dot ${dot}`} aria-hidden="true" />
        <strong data-testid="sync-phase">{phaseLabel(s)}</strong>
      </div>
      <div className="sync-line small" data-testid="pending-count" aria-live="polite">
        {s.pending > 0
          ? `${s.pending} pending change${s.pending === 1 ? '' : 's'}`
          : neverSynced
            ? busy
              ? 'First download in progress'
              : 'First download not finished yet'
            : 'All changes synced'}
      </div>
      {s.conflicts > 0 ? (
        <div className="sync-line small warn">
          {s.conflicts} conflict{s.conflicts === 1 ? '' : 's'} to resolve
        </div>
      ) : null}
      <div className="sync-line small muted" data-testid="last-synced">
        {s.lastSyncedAt ? `Last synced ${relativeTime(s.lastSyncedAt, now)}` : 'Never synced on this laptop'}
      </div>
      <SyncProgress status={s} />
      {s.error ? (
        <div className="sync-error small" role="alert">
          {s.error}
        </div>
      ) : null}
      {syncNow.isError ? <div className="sync-error small">{errorText(syncNow.error)}</div> : null}
      <button type="button" className="btn btn-small" disabled={busy || syncNow.isPending} onClick={() => syncNow.mutate()}>
        {busy ? 'Syncing…' : 'Sync now'}
      </button>
    </section>
  );
}
