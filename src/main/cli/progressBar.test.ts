import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../shared/ipc.js';
import { progressLine } from './progressBar.js';

const status = (progress: SyncStatus['progress']): SyncStatus => ({
  phase: 'pulling',
  online: true,
  pending: 0,
  conflicts: 0,
  lastSyncedAt: null,
  error: null,
  nextRetryAt: null,
  progress,
});

describe('the CLI progress line', () => {
  it('fills the bar by rows applied out of applied + remaining', () => {
    expect(progressLine(status({ pagesDone: 3, rowsApplied: 15_000, remaining: 45_000 }), 20)).toBe(
      'pulling  [#####---------------]  25%  15,000 rows, 3 pages',
    );
    expect(progressLine(status({ pagesDone: 10, rowsApplied: 50_000, remaining: 0 }), 10)).toBe('pulling  [##########] 100%  50,000 rows, 10 pages');
  });

  it('draws nothing when there is no pull in progress', () => {
    expect(progressLine(status(null))).toBeNull();
  });
});
