import { useQuery } from '@tanstack/react-query';
import type { SyncStatus } from '../../shared/ipc.js';
import { call } from '../lib/api.js';
import { qk } from '../lib/queryKeys.js';
import { pullFraction } from '../lib/syncProgress.js';

/** The sync status while this laptop has never finished a sync (nothing to list yet), else null. */
export function useFirstSync(): SyncStatus | null {
  const status = useQuery({ queryKey: qk.syncStatus(), queryFn: () => call('sync.status', {}) });
  return status.data && status.data.lastSyncedAt === null ? status.data : null;
}

/** Before the first download has finished there is nothing to list yet: say so, with the real progress. */
export function FirstSyncState({ status }: { status: SyncStatus }) {
  const p = status.progress;
  const started = p !== null && (p.rowsApplied > 0 || p.remaining > 0);
  const stalled = status.phase === 'offline' || status.phase === 'error' || !status.online;
  const pct = p && started ? Math.round(pullFraction(p) * 100) : 0;
  return (
    <section className="state first-sync" data-testid="first-sync" aria-live="polite" aria-labelledby="first-sync-title">
      <strong id="first-sync-title">Downloading your community for the first time</strong>
      {stalled ? (
        <p className="warn-text">
          The first download is paused: {(status.error ?? 'the server cannot be reached').replace(/\.+$/, '')}. It continues by itself, from where it
          stopped, as soon as the server can be reached.
        </p>
      ) : (
        <p className="muted">Members, actions and the champion pipeline appear here as soon as the download is complete.</p>
      )}
      {started ? (
        <>
          <div
            className="progress first-sync-bar"
            role="progressbar"
            aria-label="First download"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
          >
            <div className="progress-bar" style={{ width: `${pct}%` }} />
          </div>
          <p className="muted small">
            {p!.rowsApplied.toLocaleString()} records received{p!.remaining > 0 ? ` · about ${p!.remaining.toLocaleString()} to go` : ''}
          </p>
        </>
      ) : // Paused, the engine keeps no running count (what arrived is kept on this laptop); a count would be a guess.
      stalled ? null : (
        <p className="muted small">Starting the download…</p>
      )}
    </section>
  );
}
