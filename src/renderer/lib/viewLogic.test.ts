import { describe, expect, it } from 'vitest';
import type { ConflictItem } from '../../shared/ipc.js';
import { groupByDay } from './groupByDay.js';
import { areasFor } from './queryKeys.js';
import { fillDays } from './fillDays.js';
import { defaultTarget, moveBlockedReason } from './moves.js';
import { pullFraction } from './syncProgress.js';
import { describeConflict } from './conflictWords.js';

describe('timeline day groups', () => {
  it('keeps one group per UTC day even when the day continues on the next page', () => {
    const page1 = [
      { id: 'a', occurred_at: '2026-04-20T10:00:00Z' },
      { id: 'b', occurred_at: '2026-04-19T22:00:00Z' },
    ];
    const page2 = [
      { id: 'c', occurred_at: '2026-04-19T08:00:00Z' },
      { id: 'd', occurred_at: '2026-04-17T08:00:00Z' },
    ];
    const groups = groupByDay([...page1, ...page2]);
    expect(groups.map((g) => [g.day, g.items.map((i) => i.id)])).toEqual([
      ['2026-04-20', ['a']],
      ['2026-04-19', ['b', 'c']],
      ['2026-04-17', ['d']],
    ]);
  });
});

describe('cache invalidation by table', () => {
  it('a pulled user_action page refreshes timelines and member pages but not the board', () => {
    const areas = areasFor(['user_action']);
    expect(areas).toContain('timeline');
    expect(areas).toContain('member');
    expect(areas).not.toContain('board');
    expect(areas).not.toContain('people');
  });

  it('a champion change refreshes the board, member pages, conflicts, cohort views (their champion suggestions), the pending list and the quarantine list', () => {
    expect(areasFor(['champion']).sort()).toEqual(['board', 'conflicts', 'insight', 'member', 'pending', 'quarantine']);
  });

  it('an outbox change (a local mutation) refreshes everything that shows pending badges', () => {
    expect(areasFor(['outbox'])).toEqual(expect.arrayContaining(['timeline', 'board', 'history', 'member']));
  });
});

describe('activity chart axis', () => {
  it('fills quiet days between active days with zeros, in day order', () => {
    expect(
      fillDays([
        { day: '2026-03-02', count: 4 },
        { day: '2026-02-27', count: 1 },
      ]),
    ).toEqual([
      { day: '2026-02-27', count: 1 },
      { day: '2026-02-28', count: 0 },
      { day: '2026-03-01', count: 0 },
      { day: '2026-03-02', count: 4 },
    ]);
  });

  it('draws nothing for a member with no actions', () => {
    expect(fillDays([])).toEqual([]);
  });
});

describe('move menu choices', () => {
  it('allows exactly one step forward or back and names why the others are disabled', () => {
    expect(moveBlockedReason('selected', 'champion')).toBeNull();
    expect(moveBlockedReason('selected', 'candidate')).toBeNull();
    expect(moveBlockedReason('selected', 'selected')).toBe('Current stage');
    expect(moveBlockedReason('candidate', 'champion')).toBe('Only one step at a time');
    expect(moveBlockedReason('alumni', 'candidate')).toBe('Only one step at a time');
  });

  it('preselects one step forward, or one step back from the last stage', () => {
    expect(defaultTarget('candidate')).toBe('selected');
    expect(defaultTarget('alumni')).toBe('champion');
  });
});

describe('pull progress', () => {
  it('is the share of rows applied out of applied plus remaining, capped at 1', () => {
    expect(pullFraction({ pagesDone: 1, rowsApplied: 250, remaining: 750 })).toBe(0.25);
    expect(pullFraction({ pagesDone: 0, rowsApplied: 0, remaining: 0 })).toBe(1);
  });
});

describe('conflict wording', () => {
  const base = {
    id: 1,
    mutationId: 5,
    code: 'stale' as const,
    message: 'the notes changed on the server',
    entityTable: 'champion',
    entityId: 'ch_1',
    blockedBy: null,
    member: null,
    retry: { possible: true, why: null },
    createdAt: '2026-04-20T10:00:00Z',
  };

  it('shows the server notes beside the coordinator’s kept notes', () => {
    const c: ConflictItem = {
      ...base,
      name: 'champion.setNotes',
      args: { id: 'ch_1', notes: 'my careful words', baseNotes: 'old' },
      current: { id: 'ch_1', notes: 'their words', stage: 'selected' },
    };
    expect(describeConflict(c)).toMatchObject({ server: 'their words', mine: 'my careful words' });
  });

  it('shows a rejected move with its reason and the server’s stage', () => {
    const c: ConflictItem = {
      ...base,
      name: 'champion.move',
      args: { id: 'ch_1', from: 'candidate', to: 'selected', at: '2026-04-20T10:00:00Z', reason: 'great host' },
      current: { id: 'ch_1', stage: 'champion', notes: '' },
    };
    const v = describeConflict(c);
    expect(v.server).toBe('Stage: champion');
    expect(v.mine).toContain('candidate → selected');
    expect(v.mine).toContain('great host');
  });
});
