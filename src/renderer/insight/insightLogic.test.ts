import { describe, expect, it } from 'vitest';
import { areasFor, qk } from '../lib/queryKeys.js';
import { compare } from './useSort.js';
import { percent } from './words.js';

describe('cohort insight views follow the data', () => {
  it('a pulled page of actions or enrollments, or a new champion row, refreshes every open cohort view', () => {
    for (const table of ['user_action', 'enrollment', 'cohort', 'champion'] as const) expect(areasFor([table])).toContain('insight');
    // Every insight query key starts with that area, so one invalidation reaches them all.
    for (const key of [qk.cohortsOverview(), qk.cohortInsight('coh_1'), qk.cohortAtRisk('coh_1', 14)]) expect(key[0]).toBe('insight');
  });

  it('an outbox or conflict change alone does not recount the cohorts', () => {
    expect(areasFor(['outbox', 'conflict'])).not.toContain('insight');
  });
});

describe('insight tables', () => {
  it('sort numbers as numbers, words by locale, and empty values (never active) below everything', () => {
    expect([10, 9, 100].sort(compare)).toEqual([9, 10, 100]);
    expect(['Émile', 'Zoe', 'adam'].sort(compare)).toEqual(['adam', 'Émile', 'Zoe']);
    expect(['2026-03-01', null, '2026-01-01'].sort(compare)).toEqual([null, '2026-01-01', '2026-03-01']);
  });

  it('show a share of nothing as a dash, not as 0% or NaN', () => {
    expect(percent(0, 0)).toBe('—');
    expect(percent(1, 3)).toBe('33%');
  });
});
