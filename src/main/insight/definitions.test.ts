import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { prepareTableStatements, toLocalValues } from '../sync/wireRows.js';
import type { ActionType, TargetType } from '../../shared/enums.js';
import type { CohortRow, EnrollmentRow } from '../../shared/rows.js';
import { atRiskCsv, atRiskMembers } from './atRisk.js';
import { cohortInsight } from './cohortInsight.js';
import { cohortsOverview } from './cohortsOverview.js';
import { atRiskDays, setAtRiskDays } from './settings.js';

// Every definition of docs/insight.md pinned on a small hand-made cohort, with the edge cases the
// issue names: a member with no actions, a withdrawn enrollment, a member in two cohorts, actions
// dated before the enrollment, a self-paced enrollment without a cohort. "Now" is fixed.

const NOW = new Date('2026-04-10T12:00:00.000Z');
let t: ReturnType<typeof tempDatabase>;

const cohort = (id: string, starts: string | null, ends: string | null, status: CohortRow['status']): CohortRow => ({
  id,
  name: `Cohort ${id}`,
  starts_at: starts,
  ends_at: ends,
  status,
  created_at: '2026-01-01T00:00:00Z',
});

beforeAll(() => {
  t = tempDatabase();
  const s = prepareTableStatements(t.app.sqlite);
  const put = {
    cohort: (c: CohortRow) => s.cohort.upsert.run(toLocalValues('cohort', c)),
    user: (id: string, name: string) =>
      s.user.upsert.run(
        toLocalValues('user', {
          id,
          email: `${id}@example.org`,
          name,
          origin: null,
          profile_img: null,
          roles: ['student'],
          created_at: '2026-01-01T00:00:00Z',
        }),
      ),
    enrollment: (id: string, userId: string, cohortId: string | null, enrolledAt: string, status: EnrollmentRow['status'] = 'active') =>
      s.enrollment.upsert.run(
        toLocalValues('enrollment', { id, user_id: userId, cohort_id: cohortId, course_name: 'Ten Keys', status, enrolled_at: enrolledAt }),
      ),
  };
  let n = 0;
  const act = (
    userId: string,
    enrollmentId: string | null,
    type: ActionType,
    at: string,
    target: [TargetType, string] | null = null,
    metadata: Record<string, unknown> = {},
  ) =>
    s.user_action.upsert.run(
      toLocalValues('user_action', {
        id: `act_${++n}`,
        user_id: userId,
        enrollment_id: enrollmentId,
        action_type: type,
        target_type: target?.[0] ?? null,
        target_id: target?.[1] ?? null,
        metadata,
        source_system: 'app',
        source_event_id: null,
        idempotency_key: null,
        occurred_at: at,
      }),
    );

  t.app.sqlite.transaction(() => {
    put.cohort(cohort('coh_a', '2026-03-02T00:00:00Z', '2026-04-27T00:00:00Z', 'active'));
    put.cohort(cohort('coh_b', '2026-03-02T00:00:00Z', '2026-04-27T00:00:00Z', 'active'));
    put.cohort(cohort('coh_p', '2026-05-04T00:00:00Z', '2026-06-29T00:00:00Z', 'planned'));
    put.cohort(cohort('coh_empty', null, null, 'planned'));
    for (const [id, name] of [
      ['ann', 'Ann Able'],
      ['bob', 'Bob Bland'],
      ['cat', 'Cat Cole'],
      ['dan', 'Dan Dale'],
      ['eve', 'Eve Este'],
      ['fay', 'Fay Fern'],
      ['gus', 'Gus Gale'],
      ['hal', 'Hal Hope'],
      ['ivy', 'Ivy Ince'],
    ])
      put.user(id!, name!);

    // Ann: the whole course, numbered by metadata for module 1 and by target id for module 2.
    put.enrollment('e_ann', 'ann', 'coh_a', '2026-03-01T00:00:00Z');
    act('ann', 'e_ann', 'started_module', '2026-03-03T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    act('ann', 'e_ann', 'completed_module', '2026-03-04T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    act('ann', 'e_ann', 'started_module', '2026-03-10T10:00:00Z', ['module', 'mod_x_2']);
    act('ann', 'e_ann', 'completed_module', '2026-03-11T10:00:00Z', ['module', 'mod_x_2']);
    act('ann', 'e_ann', 'posted_thread', '2026-03-12T10:00:00Z', ['forum', 'forum_a']);
    act('ann', 'e_ann', 'posted_thread', '2026-03-20T10:00:00Z', ['forum', 'forum_a']);
    act('ann', 'e_ann', 'posted_reply', '2026-04-02T10:00:00Z', ['thread', 'thr_1']);
    act('ann', 'e_ann', 'completed_course', '2026-04-08T10:00:00Z', ['course', 'crs_x']);
    // Bob: enrolled, never did anything.
    put.enrollment('e_bob', 'bob', 'coh_a', '2026-03-01T00:00:00Z');
    // Bob is also enrolled in a cohort that has not started: not at risk there.
    put.enrollment('e_bob_p', 'bob', 'coh_p', '2026-03-01T00:00:00Z');
    // Cat: started, then withdrew.
    put.enrollment('e_cat', 'cat', 'coh_a', '2026-03-01T00:00:00Z', 'withdrawn');
    act('cat', 'e_cat', 'started_module', '2026-03-05T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    // Dan: in two cohorts; quiet in A since 10 March, busy in B yesterday.
    put.enrollment('e_dan_a', 'dan', 'coh_a', '2026-03-01T00:00:00Z');
    put.enrollment('e_dan_b', 'dan', 'coh_b', '2026-03-01T00:00:00Z');
    act('dan', 'e_dan_a', 'started_module', '2026-03-10T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    act('dan', 'e_dan_b', 'posted_reply', '2026-04-09T10:00:00Z', ['thread', 'thr_b']);
    // Eve: her actions are linked to an enrollment dated after them; a later one is linked to none.
    put.enrollment('e_eve', 'eve', 'coh_a', '2026-04-01T00:00:00Z');
    act('eve', 'e_eve', 'completed_module', '2026-03-05T10:00:00Z', ['module', 'mod_x_1']);
    act('eve', null, 'viewed_module', '2026-04-09T10:00:00Z', ['module', 'mod_x_2']);
    // Fay: self-paced, no cohort.
    put.enrollment('e_fay', 'fay', null, '2026-03-01T00:00:00Z');
    act('fay', 'e_fay', 'completed_module', '2026-04-09T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    // Gus: enrolled five days ago, nothing yet.
    put.enrollment('e_gus', 'gus', 'coh_a', '2026-04-05T00:00:00Z');
    // Hal: already in a pipeline; a module completion that names no module.
    put.enrollment('e_hal', 'hal', 'coh_a', '2026-03-01T00:00:00Z');
    act('hal', 'e_hal', 'started_module', '2026-04-06T10:00:00Z', ['module', 'mod_x_1'], { module: 1 });
    act('hal', 'e_hal', 'completed_module', '2026-04-09T10:00:00Z', ['module', 'mod_intro']);
    act('hal', 'e_hal', 'posted_thread', '2026-04-09T11:00:00Z', ['forum', 'forum_a']);
    s.champion.upsert.run(
      toLocalValues('champion', {
        id: 'ch_hal',
        user_id: 'hal',
        cohort_id: null,
        stage: 'candidate',
        notes: '',
        selected_at: null,
        became_champion_at: null,
        stage_version: 1,
      }),
    );
    // Ivy: forum posts 70 days ago, before the cohort began; nothing since.
    put.enrollment('e_ivy', 'ivy', 'coh_a', '2026-01-20T00:00:00Z');
    act('ivy', 'e_ivy', 'posted_thread', '2026-01-30T10:00:00Z', ['forum', 'forum_a']);
    act('ivy', 'e_ivy', 'posted_reply', '2026-01-30T11:00:00Z', ['thread', 'thr_2']);
  })();
});
afterAll(() => t?.dispose());

const overviewOf = (id: string, atRisk = 14) =>
  cohortsOverview(t.app.sqlite, { now: NOW, atRiskDays: atRisk }).cohorts.find((c) => c.cohort.id === id)!;
const insight = () => cohortInsight(t.app.sqlite, 'coh_a', { now: NOW })!;

describe('Cohorts screen figures', () => {
  it('counts every enrollment as enrolled, withdrawn ones included, and names how many withdrew', () => {
    expect(overviewOf('coh_a')).toMatchObject({ enrolled: 8, withdrawn: 1 });
  });

  it('counts as completed an enrollment with a completed_course action or marked completed', () => {
    expect(overviewOf('coh_a').completed).toBe(1);
    t.app.sqlite.prepare("UPDATE enrollment SET status = 'completed' WHERE id = 'e_gus'").run();
    try {
      expect(overviewOf('coh_a').completed).toBe(2);
    } finally {
      t.app.sqlite.prepare("UPDATE enrollment SET status = 'active' WHERE id = 'e_gus'").run();
    }
  });

  it('counts as active an enrollment with an action linked to it in the last 7 days, and only in its own cohort', () => {
    // Ann (8 April) and Hal (9 April); Dan's reply yesterday was in cohort B, Eve's visit was linked to no enrollment.
    expect(overviewOf('coh_a').active).toBe(2);
    expect(overviewOf('coh_b')).toMatchObject({ enrolled: 1, active: 1, atRisk: 0 });
  });

  it('counts at risk: active enrollment, course not done, silent for N days since the latest of last action, enrollment and cohort start', () => {
    // Bob (nothing since the start, 2 March), Ivy (last action before the start), Dan (10 March). Not:
    // Ann (completed), Cat (withdrawn), Eve (enrolled 1 April), Gus (enrolled 5 April), Hal (active).
    expect(overviewOf('coh_a').atRisk).toBe(3);
    // With 7 days, Eve (silent since her enrollment on 1 April, 9 days) joins them.
    expect(overviewOf('coh_a', 7).atRisk).toBe(4);
    // A cohort that has not started has no one at risk, however long ago they enrolled.
    expect(overviewOf('coh_p')).toMatchObject({ enrolled: 1, atRisk: 0, weekly: [] });
  });

  it('gives each run week the number of enrollments with an action linked to them that week', () => {
    expect(overviewOf('coh_a').weekly).toEqual([
      { week: '2026-03-02', active: 3 }, // Ann, Cat, Eve (her 5 March completion)
      { week: '2026-03-09', active: 2 }, // Ann, Dan
      { week: '2026-03-16', active: 1 }, // Ann
      { week: '2026-03-23', active: 0 },
      { week: '2026-03-30', active: 1 }, // Ann
      { week: '2026-04-06', active: 2 }, // Ann, Hal — the current week, where the run stops today
    ]);
  });

  it('leaves self-paced enrollments out of every cohort and counts them apart', () => {
    const o = cohortsOverview(t.app.sqlite, { now: NOW, atRiskDays: 14 });
    expect(o.selfPaced).toBe(1);
    expect(o.cohorts.reduce((s, c) => s + c.enrolled, 0)).toBe(10); // 8 in A, Dan in B, Bob in the planned one
    expect(o.cohorts.find((c) => c.cohort.id === 'coh_empty')).toMatchObject({ enrolled: 0, active: 0, atRisk: 0, weekly: [] });
    expect(o.ready).toBe(true);
  });
});

describe('cohort page', () => {
  it('funnel: each step counts the enrollments that reached it or a later one', () => {
    expect(insight().funnel).toEqual([
      { key: 'enrolled', count: 8 },
      { key: 'started', count: 5 }, // Ann, Cat (withdrew after), Dan, Eve (completion before enrolling), Hal
      { key: 'completedModule', count: 3 }, // Ann, Eve, Hal (a completion with no module number)
      { key: 'completedCourse', count: 1 }, // Ann
    ]);
    expect(insight().withdrawn).toBe(1);
  });

  it('module progression in module-number order, from metadata or the module target id, completions counting as starts', () => {
    const i = insight();
    expect(i.modules).toEqual([
      { module: 1, started: 5, completed: 2 }, // started: Ann, Cat, Dan, Hal + Eve (completed without a start); completed: Ann, Eve
      { module: 2, started: 1, completed: 1 }, // Ann, numbered only by target id mod_x_2
    ]);
    expect(i.unnumberedModuleActions).toBe(1); // Hal's completion of "mod_intro"
  });

  it('members table: modules completed, last action in this cohort, threads and replies, status', () => {
    const byId = new Map(insight().members.map((m) => [m.userId, m]));
    expect(byId.get('ann')).toMatchObject({
      modulesCompleted: 2,
      completedCourse: true,
      threads: 2,
      replies: 1,
      lastActiveAt: '2026-04-08T10:00:00Z',
      status: 'active',
    });
    expect(byId.get('bob')).toMatchObject({ modulesCompleted: 0, lastActiveAt: null, actions: 0 });
    expect(byId.get('dan')).toMatchObject({ lastActiveAt: '2026-03-10T10:00:00Z', replies: 0 }); // his cohort-B reply is not here
    expect(byId.get('eve')).toMatchObject({ modulesCompleted: 1, lastActiveAt: '2026-03-05T10:00:00Z' }); // the unlinked visit is not here
    expect(byId.get('cat')?.status).toBe('withdrawn');
    expect(byId.has('fay')).toBe(false);
  });

  it('weekly activity by action type covers the run and the linked activity before it, the run weeks marked', () => {
    const weeks = insight().weeks;
    expect(weeks[0]).toMatchObject({ week: '2026-01-26', inRun: false, counts: expect.objectContaining({ posted_thread: 1, posted_reply: 1 }) });
    const run = weeks.filter((w) => w.inRun);
    expect(run.map((w) => w.week)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30', '2026-04-06']);
    expect(run[0]!.counts).toMatchObject({ started_module: 2, completed_module: 2 }); // Ann's and Cat's starts; Ann's and Eve's completions
    const total = weeks.reduce((s, w) => s + Object.values(w.counts).reduce((a, b) => a + b, 0), 0);
    expect(total).toBe(8 + 1 + 1 + 1 + 3 + 2); // every action linked to coh_a's enrollments, and no other
  });

  it('suggests champions not in any pipeline, ranked by forum posts in 60 days then progress, with reasons in words', () => {
    const s = insight().suggestions;
    expect(s.map((x) => [x.userId, x.reason])).toEqual([
      ['ann', '3 forum posts in 60 days · completed the course'],
      ['eve', 'no forum posts in 60 days · 1 of 2 modules completed'],
    ]);
    expect(insight().inPipeline).toBe(1); // Hal
  });

  it('answers null for a cohort that is not on this laptop', () => {
    expect(cohortInsight(t.app.sqlite, 'coh_missing', { now: NOW })).toBeNull();
    expect(atRiskMembers(t.app.sqlite, 'coh_missing', { now: NOW, days: 14 })).toBeNull();
  });
});

describe('at-risk list', () => {
  it('lists the same members the Cohorts screen counts, longest silence first, with last action and days silent', () => {
    const list = atRiskMembers(t.app.sqlite, 'coh_a', { now: NOW, days: 14 })!;
    expect(list.members.map((m) => [m.userId, m.lastActiveAt, m.quietSince, m.quietDays])).toEqual([
      ['bob', null, '2026-03-02T00:00:00Z', 39],
      ['ivy', '2026-01-30T11:00:00Z', '2026-03-02T00:00:00Z', 39],
      ['dan', '2026-03-10T10:00:00Z', '2026-03-10T10:00:00Z', 31],
    ]);
    expect(list.members.length).toBe(overviewOf('coh_a').atRisk);
    expect(atRiskMembers(t.app.sqlite, 'coh_a', { now: NOW, days: 7 })!.members.map((m) => m.userId)).toContain('eve');
  });

  it('exports as CSV with a header, one line per member, and a file name naming the cohort and the rule', () => {
    const out = atRiskCsv(t.app.sqlite, 'coh_a', { now: NOW, days: 14 })!;
    const lines = out.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('Name,Email,Enrolled,Last action,Days without an action,Member id,Enrollment id');
    expect(lines[1]).toBe('Bob Bland,bob@example.org,2026-03-01T00:00:00Z,never,39,bob,e_bob');
    expect(lines).toHaveLength(4);
    expect(out).toMatchObject({ rows: 3, filename: 'at-risk-cohort-coh-a-14-days-2026-04-10.csv' });
  });

  it('keeps N as a setting: 14 days until changed, refusing values out of range', () => {
    expect(atRiskDays(t.app.sqlite)).toBe(14);
    expect(setAtRiskDays(t.app.sqlite, 21)).toBe(21);
    expect(atRiskDays(t.app.sqlite)).toBe(21);
    expect(() => setAtRiskDays(t.app.sqlite, 0)).toThrow();
    expect(atRiskDays(t.app.sqlite)).toBe(21);
    setAtRiskDays(t.app.sqlite, 14);
  });
});
