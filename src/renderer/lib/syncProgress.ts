import type { SyncStatus } from '../../shared/ipc.js';

/** Share of the pull done, from rows applied so far and the server's estimate of what remains. */
export function pullFraction(p: NonNullable<SyncStatus['progress']>): number {
  const total = p.rowsApplied + p.remaining;
  return total <= 0 ? 1 : Math.min(1, p.rowsApplied / total);
}
