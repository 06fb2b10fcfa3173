import type { SyncStatus } from '../../shared/ipc.js';
import { SyncHttpError } from './protocolClient.js';

// What a failed sync run means for the coordinator and for the next attempt: one table from
// every way a run can fail to the phase shown, the words shown, and when to try again. The
// engine carries the decision out; keeping it here keeps the engine's run loop about running.

type RevokedKind = 'device_revoked' | 'not_a_coordinator';

export interface FailureDecision {
  phase: SyncStatus['phase'];
  error: string | null;
  /** `keep`: leave any retry as it is; `none`: cancel it; `backoff`: the next in the growing series; or a fixed wait. */
  retry: 'keep' | 'none' | 'backoff' | { afterMs: number };
  /** Counts toward the backoff (a failure that may pass by itself). */
  counts: boolean;
  /** The session learns of it: expired before the phase changes, revoked after (the core then removes the data). */
  session: 'expired' | RevokedKind | null;
}

const decide = (
  phase: SyncStatus['phase'],
  error: string | null,
  retry: FailureDecision['retry'],
  more: Partial<FailureDecision> = {},
): FailureDecision => ({
  phase,
  error,
  retry,
  counts: false,
  session: null,
  ...more,
});

export function failureDecision(e: unknown, online: boolean): FailureDecision {
  if (!(e instanceof SyncHttpError))
    return decide('error', `Sync failed: ${e instanceof Error ? e.message : String(e)}`, 'backoff', { counts: true });
  switch (e.kind) {
    case 'aborted':
      return decide(online ? 'idle' : 'offline', null, 'keep');
    case 'unauthorized':
      return decide('signed_out', 'Signed out: sign in again.', 'keep', { session: 'expired' });
    case 'database_changed':
      // Another database behind the same address: nothing more is sent to it until the
      // coordinator signs in again, which starts local data over for it (serverBinding.ts).
      return decide('signed_out', `${e.message} Your pending changes are kept.`, 'none', { session: 'expired' });
    case 'upgrade_required':
      return decide('error', e.message, 'none');
    case 'device_revoked':
    case 'not_a_coordinator':
      // This laptop may not keep the data: the core removes it (session listeners) and says why.
      return decide('signed_out', e.message, 'none', { session: e.kind });
    case 'forbidden':
      // Not a coordinator (any more), or this install's data belongs to another account:
      // retrying will not change that, so wait for the coordinator (sign in, sync now).
      return decide('error', e.message, 'none');
    case 'rate_limited':
      return decide('error', e.message, { afterMs: e.extra.retryAfterMs ?? 5000 });
    case 'network':
      return decide('offline', e.message, 'backoff', { counts: true });
    default:
      return decide('error', e.message, 'backoff', { counts: true });
  }
}
