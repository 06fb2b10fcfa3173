import type { PullResponse } from '../../../shared/protocol.js';
import type { ChampionRow, CohortRow, EnrollmentRow, UserRow } from '../../../shared/rows.js';

// Small wire rows for unit tests of the local sync parts.

export const user = (id: string, roles: UserRow['roles'] = ['student']): UserRow => ({
  id,
  email: `${id}@example.org`,
  name: `Member ${id}`,
  origin: 'london',
  profile_img: null,
  roles,
  created_at: '2026-01-01T00:00:00Z',
});

export const cohort = (id: string): CohortRow => ({
  id,
  name: `Cohort ${id}`,
  starts_at: null,
  ends_at: null,
  status: 'active',
  created_at: '2026-01-01T00:00:00Z',
});

export const enrollment = (id: string, userId: string, cohortId: string | null): EnrollmentRow => ({
  id,
  user_id: userId,
  cohort_id: cohortId,
  course_name: 'Ten Keys',
  status: 'active',
  enrolled_at: '2026-01-02T00:00:00Z',
});

export const champion = (id: string, userId: string, stage: ChampionRow['stage'], over: Partial<ChampionRow> = {}): ChampionRow => ({
  id,
  user_id: userId,
  cohort_id: null,
  stage,
  notes: '',
  selected_at: null,
  became_champion_at: null,
  stage_version: 1,
  ...over,
});

export const FIXTURE_DATABASE_ID = '5d0c6a52-6f1e-4c1e-9a57-0b7c1a2e3f40';

export const page = (changes: PullResponse['changes'], over: Partial<PullResponse> = {}): PullResponse => ({
  databaseId: FIXTURE_DATABASE_ID,
  cursor: 'c1',
  hasMore: false,
  lastMutationId: 0,
  remaining: 0,
  changes,
  ...over,
});

export const upserts = (table: 'user' | 'cohort' | 'enrollment' | 'champion', rows: object[]): PullResponse['changes'] =>
  rows.map((row) => ({ table, op: 'upsert', row }) as PullResponse['changes'][number]);
