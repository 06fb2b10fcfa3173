import type { Role, Stage } from '../../shared/enums.js';
import type { ChampionStageChangeRow, CohortRow, EnrollmentRow, RowOf, SyncTable, UserActionRow, UserRow } from '../../shared/rows.js';
import { upstreamIdempotencyKey } from '../../shared/rows.js';
import { CHAMPION_NOTES, COURSES, FIRST_NAMES, LAST_NAMES, ORIGINS, THREAD_TITLES } from './names.js';
import { Prng } from './prng.js';

// The demo data set (docs/benchmarks.md sizes), generated from a seed so every run, every machine and
// every benchmark sees exactly the same rows. Time is anchored to a fixed date for the same reason.

export type DemoSize = 'small' | 'large';

export const DEMO_SIZES: Record<DemoSize, { users: number; actions: number; champions: number; cohorts: number; heaviest: number }> = {
  small: { users: 2_000, actions: 100_000, champions: 200, cohorts: 20, heaviest: 3_000 },
  // `heaviest`: one member with this many actions, so timelines are benchmarked at ≥ 10,000 rows.
  large: { users: 100_000, actions: 1_000_000, champions: 2_000, cohorts: 200, heaviest: 12_000 },
};

export const DEMO_ANCHOR = Date.parse('2026-11-01T00:00:00Z');
export const DEMO_COORDINATOR = {
  id: 'usr_demo_coordinator',
  email: 'coordinator@demo.local',
  name: 'Demo Coordinator',
  password: 'demo-coordinator',
  roles: ['admin'] as Role[],
};
const DEMO_STUDENT = {
  id: 'usr_demo_student',
  email: 'student@demo.local',
  name: 'Demo Student',
  password: 'demo-student',
  roles: ['student'] as Role[],
};
const DEMO_SUPERADMIN = {
  id: 'usr_demo_superadmin',
  email: 'superadmin@demo.local',
  name: 'Demo Superadmin',
  password: 'demo-superadmin',
  roles: ['superadmin'] as Role[],
};
export const DEMO_COORDINATOR2 = {
  id: 'usr_demo_coordinator2',
  email: 'coordinator2@demo.local',
  name: 'Demo Coordinator Two',
  password: 'demo-coordinator2',
  roles: ['admin'] as Role[],
};
/** The demo logins, each included as a user row (their credentials are the loader's job). */
export const DEMO_LOGINS = [DEMO_COORDINATOR, DEMO_STUDENT, DEMO_SUPERADMIN, DEMO_COORDINATOR2] as const;

/**
 * The demo coordinators' communities (issue 13): the first gets a few cohorts (3 of the small
 * set's 20, 10 of the large set's 200), the second as many, overlapping the first's by one.
 * Chosen from the cohort count so a demo database made by an earlier release gets the same.
 */
export function demoScopes(cohortCount: number): { coordinator: string[]; coordinator2: string[] } {
  const n = cohortCount >= 200 ? 10 : 3;
  const start = Math.floor(cohortCount * 0.6);
  const ids = (from: number) => Array.from({ length: n }, (_, k) => `coh_${pad(((from + k) % cohortCount) + 1, 3)}`);
  return { coordinator: ids(start), coordinator2: ids(start + n - 1) };
}

export type DemoBatch = { [K in SyncTable]: { table: K; rows: RowOf[K][] } }[SyncTable];

const DAY = 86_400_000;
const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const SEASONS = ['Winter', 'Spring', 'Summer', 'Autumn'] as const;

interface ChampionPlan {
  userIndex: number;
  cohortIndex: number | null;
  stage: Stage;
}

/**
 * Rows in dependency order (cohorts, users, enrollments, actions, champions, stage changes), in
 * batches of at most `batchSize`. The demo logins (DEMO_LOGINS) are included as users
 * (credentials are the loader's job).
 */
export function* generateDemo(size: DemoSize, seed = 20_261_101, batchSize = 5_000): Generator<DemoBatch> {
  const spec = DEMO_SIZES[size];
  const rng = new Prng(seed);
  const batcher = <K extends SyncTable>(table: K) => {
    let rows: RowOf[K][] = [];
    return {
      add(row: RowOf[K]): DemoBatch | null {
        rows.push(row);
        if (rows.length < batchSize) return null;
        const b = { table, rows } as DemoBatch;
        rows = [];
        return b;
      },
      flush(): DemoBatch | null {
        if (rows.length === 0) return null;
        const b = { table, rows } as DemoBatch;
        rows = [];
        return b;
      },
    };
  };

  // ---- cohorts: spread over the past year, each about eight weeks long ----
  const cohorts: CohortRow[] = [];
  for (let c = 0; c < spec.cohorts; c++) {
    const starts = DEMO_ANCHOR - 365 * DAY + Math.floor(((c + rng.next() * 0.8) / spec.cohorts) * 400 * DAY);
    const ends = starts + 8 * 7 * DAY;
    const course = COURSES[c % COURSES.length]!;
    const city = rng.pick(ORIGINS).split(',')[0]!;
    const season =
      SEASONS[
        new Date(starts).getUTCMonth() < 2 || new Date(starts).getUTCMonth() === 11 ? 0 : Math.floor((new Date(starts).getUTCMonth() - 2) / 3) + 1
      ]!;
    cohorts.push({
      id: `coh_${pad(c + 1, 3)}`,
      name: `${course.name} — ${season} ${new Date(starts).getUTCFullYear()} (${city})`,
      starts_at: iso(starts),
      ends_at: iso(ends),
      status: ends < DEMO_ANCHOR ? 'finished' : starts <= DEMO_ANCHOR ? 'active' : 'planned',
      // A planned cohort starts in the future, but it was created in the past, like every row's history.
      created_at: iso(Math.min(starts - 30 * DAY, DEMO_ANCHOR - DAY)),
    });
  }
  const cb = batcher('cohort');
  for (const c of cohorts) {
    const b = cb.add(c);
    if (b) yield b;
  }
  const cf = cb.flush();
  if (cf) yield cf;

  // ---- champion plan, decided before users so roles agree with champion stages ----
  const stages: Stage[] = ['candidate', 'selected', 'champion', 'alumni'];
  const plans: ChampionPlan[] = [];
  const planByUser = new Map<number, ChampionPlan[]>();
  for (let i = 0; i < spec.champions; i++) {
    // Champions are engaged members: draw from the first fifth (the heavier users, see weights).
    const userIndex = 1 + ((i * 7919) % Math.max(1, Math.floor(spec.users / 5)));
    const existing = planByUser.get(userIndex) ?? [];
    const usedGlobal = existing.some((p) => p.cohortIndex === null);
    let cohortIndex: number | null = !usedGlobal && rng.chance(0.3) ? null : rng.int(0, spec.cohorts - 1);
    if (cohortIndex !== null && existing.some((p) => p.cohortIndex === cohortIndex))
      cohortIndex = usedGlobal ? (cohortIndex + 1) % spec.cohorts : null;
    if (cohortIndex !== null && existing.some((p) => p.cohortIndex === cohortIndex)) continue;
    const stage = stages[i % 4]!;
    const plan = { userIndex, cohortIndex, stage };
    plans.push(plan);
    planByUser.set(userIndex, [...existing, plan]);
  }

  // ---- users ----
  const userIds: string[] = [];
  const ub = batcher('user');
  const demoUsers: UserRow[] = DEMO_LOGINS.map((d) => ({
    id: d.id,
    email: d.email,
    name: d.name,
    origin: 'London, United Kingdom',
    profile_img: null,
    roles: d.roles,
    created_at: iso(DEMO_ANCHOR - 400 * DAY),
  }));
  for (const u of demoUsers) {
    const b = ub.add(u);
    if (b) yield b;
  }
  const createdAt: number[] = [];
  for (let i = 1; i <= spec.users; i++) {
    const [first, firstSlug] = rng.pick(FIRST_NAMES);
    const [last, lastSlug] = rng.pick(LAST_NAMES);
    const id = `usr_${i}_${firstSlug}`;
    const roles: Role[] = ['student'];
    if (rng.chance(0.01)) roles.push('teacher');
    if (planByUser.get(i)?.some((p) => p.stage === 'champion')) roles.push('champion');
    const created = DEMO_ANCHOR - 400 * DAY + Math.floor(rng.next() * 300 * DAY);
    createdAt.push(created);
    userIds.push(id);
    const b = ub.add({
      id,
      email: `${firstSlug}.${lastSlug}.${i}@example.org`,
      name: `${first} ${last}`,
      origin: rng.chance(0.9) ? rng.pick(ORIGINS) : null,
      profile_img: rng.chance(0.4) ? `https://avatars.example.org/${id}.jpg` : null,
      roles,
      created_at: iso(created),
    });
    if (b) yield b;
  }
  const uf = ub.flush();
  if (uf) yield uf;

  // ---- how many actions each member gets: heavily skewed (a few very active members) ----
  const counts = new Array<number>(spec.users).fill(0);
  counts[0] = spec.heaviest;
  const weights: number[] = [];
  let wsum = 0;
  for (let i = 1; i < spec.users; i++) {
    // Pareto-like tail: most members do a little, some do a lot.
    const w = 1 / Math.pow(1 - rng.next() * 0.999, 0.9);
    weights.push(w);
    wsum += w;
  }
  let left = spec.actions - spec.heaviest;
  for (let i = 1; i < spec.users; i++) {
    const n = Math.max(1, Math.floor(((spec.actions - spec.heaviest) * weights[i - 1]!) / wsum));
    counts[i] = Math.min(n, left);
    left -= counts[i]!;
  }
  for (let i = 1; left > 0; i = (i % (spec.users - 1)) + 1) {
    counts[i]!++;
    left--;
  }

  // ---- enrollments and actions, one member at a time ----
  const eb = batcher('enrollment');
  const ab = batcher('user_action');
  let eventNo = 0;
  const pendingActions: UserActionRow[] = [];
  for (let i = 0; i < spec.users; i++) {
    const userId = userIds[i]!;
    const total = counts[i]!;
    const nEnroll = total > 400 ? 3 : total > 60 ? 2 : 1;
    const myCohorts = new Set<number>();
    const plannedCohorts = planByUser.get(i + 1)?.flatMap((p) => (p.cohortIndex === null ? [] : [p.cohortIndex])) ?? [];
    for (const c of plannedCohorts) myCohorts.add(c);
    while (myCohorts.size < nEnroll) myCohorts.add(rng.int(0, spec.cohorts - 1));
    const cohortList = [...myCohorts];
    let remainingForUser = total;
    for (const [k, ci] of cohortList.entries()) {
      const cohort = cohorts[ci]!;
      const course = COURSES[ci % COURSES.length]!;
      const enrollmentId = `enr_${i + 1}_${k + 1}`;
      const share = k === cohortList.length - 1 ? remainingForUser : Math.floor(remainingForUser / (cohortList.length - k));
      remainingForUser -= share;
      // Enrolling in a cohort that starts later happened before now, like all of a member's actions.
      const start = Math.min(Math.max(createdAt[i]!, Date.parse(cohort.starts_at!) - 14 * DAY), DEMO_ANCHOR - 2 * DAY);
      const end = Math.min(DEMO_ANCHOR, Date.parse(cohort.ends_at!) + 60 * DAY);
      const acts = memberStory(rng, { userId, enrollmentId, course, cohortId: cohort.id, count: share, start, end: Math.max(end, start + DAY) });
      const status: EnrollmentRow['status'] = acts.some((a) => a.action_type === 'unenrolled')
        ? 'withdrawn'
        : acts.some((a) => a.action_type === 'completed_course')
          ? 'completed'
          : 'active';
      const b = eb.add({ id: enrollmentId, user_id: userId, cohort_id: cohort.id, course_name: course.name, status, enrolled_at: iso(start) });
      if (b) yield b;
      for (const a of acts) {
        eventNo++;
        const source = a.source;
        const sourceEventId = `evt_${pad(eventNo, 8)}`;
        pendingActions.push({
          id: `act_${pad(eventNo, 8)}`,
          user_id: userId,
          enrollment_id: enrollmentId,
          action_type: a.action_type,
          target_type: a.target_type,
          target_id: a.target_id,
          metadata: a.metadata,
          source_system: source,
          source_event_id: sourceEventId,
          idempotency_key: upstreamIdempotencyKey(source, sourceEventId),
          occurred_at: iso(a.at),
        });
      }
    }
    // Actions after enrollments in the stream: each batch's foreign keys already exist.
    if (pendingActions.length >= batchSize || i === spec.users - 1) {
      const ef = eb.flush();
      if (ef) yield ef;
      for (const a of pendingActions.splice(0)) {
        const b = ab.add(a);
        if (b) yield b;
      }
    }
  }
  const ef = eb.flush();
  if (ef) yield ef;
  const af = ab.flush();
  if (af) yield af;

  // ---- champions, each with a history that walks to its stage ----
  const chb = batcher('champion');
  const histories: ChampionStageChangeRow[] = [];
  let hNo = 0;
  for (const [n, p] of plans.entries()) {
    const userId = userIds[p.userIndex - 1]!;
    const id = `ch_${pad(n + 1, 4)}_${userId.split('_').slice(2).join('_')}`;
    let t = (p.cohortIndex === null ? DEMO_ANCHOR - 300 * DAY : Date.parse(cohorts[p.cohortIndex]!.starts_at!)) + rng.int(1, 20) * DAY;
    const walk: Stage[] = ['candidate'];
    const target = stages.indexOf(p.stage);
    for (let s = 1; s <= target; s++) {
      // Now and then a coordinator moves someone on too early and steps back: history shows the correction.
      if (rng.chance(0.08)) walk.push(stages[s]!, stages[s - 1]!);
      walk.push(stages[s]!);
    }
    const times: number[] = [];
    for (let k = 0; k < walk.length; k++) {
      times.push(t);
      t += rng.int(3, 40) * DAY;
    }
    // A history ends before now: one that would run past the anchor happened that much earlier.
    const overshoot = Math.max(0, times.at(-1)! - (DEMO_ANCHOR - DAY));
    let selectedAt: string | null = null;
    let becameAt: string | null = null;
    let prev: Stage | null = null;
    for (const [k, to] of walk.entries()) {
      const at = iso(times[k]! - overshoot);
      if (to === 'selected') selectedAt = at;
      if (to === 'champion' && !becameAt) becameAt = at;
      const reason: string | null =
        prev === null
          ? null
          : stages.indexOf(to) < stages.indexOf(prev)
            ? 'Moved back: not ready yet'
            : rng.chance(0.4)
              ? rng.pick(['Completed facilitator training', 'Great feedback from cohort', 'Agreed at team meeting', 'Stepping back for now'])
              : null;
      histories.push({
        id: `csc_${pad(++hNo, 6)}`,
        champion_id: id,
        from_stage: prev,
        to_stage: to,
        changed_at: at,
        changed_by: DEMO_COORDINATOR.id,
        reason,
      });
      prev = to;
    }
    const b = chb.add({
      id,
      user_id: userId,
      cohort_id: p.cohortIndex === null ? null : cohorts[p.cohortIndex]!.id,
      stage: p.stage,
      notes: rng.pick(CHAMPION_NOTES),
      selected_at: selectedAt,
      became_champion_at: becameAt,
      // One version for the row's first stage, one more per move of its history.
      stage_version: walk.length,
    });
    if (b) yield b;
  }
  const chf = chb.flush();
  if (chf) yield chf;
  const hb = batcher('champion_stage_change');
  for (const h of histories) {
    const b = hb.add(h);
    if (b) yield b;
  }
  const hf = hb.flush();
  if (hf) yield hf;
}

interface StoryAction {
  action_type: UserActionRow['action_type'];
  target_type: UserActionRow['target_type'];
  target_id: string | null;
  metadata: Record<string, unknown>;
  source: 'webhook' | 'app' | 'stripe' | 'segment' | 'cron_worker';
  at: number;
}

/**
 * A plausible journey through one course: enrolled, then per module viewed → started →
 * answered questions → completed, with forum threads and replies along the way, ending in
 * completed_course (or, for a few, unenrolled). Heavy members keep posting and revisiting.
 */
function memberStory(
  rng: Prng,
  o: { userId: string; enrollmentId: string; course: (typeof COURSES)[number]; cohortId: string; count: number; start: number; end: number },
): StoryAction[] {
  const out: StoryAction[] = [];
  // A few members drop out: their story ends with `unenrolled` as its last action.
  const quitter = o.count >= 2 && o.count < 12 && rng.chance(0.3);
  const limit = quitter ? o.count - 1 : o.count;
  const push = (a: Omit<StoryAction, 'at'>) => out.length < limit && out.push({ ...a, at: 0 });
  const courseId = `crs_${o.course.slug}`;
  push({
    action_type: 'enrolled',
    target_type: 'cohort',
    target_id: o.cohortId,
    metadata: { course: o.course.name },
    source: rng.chance(0.5) ? 'stripe' : 'webhook',
  });
  let mod = 0;
  let threadNo = 0;
  while (out.length < limit) {
    if (mod < o.course.modules.length) {
      const moduleId = `mod_${o.course.slug}_${mod + 1}`;
      const title = o.course.modules[mod]!;
      push({ action_type: 'viewed_module', target_type: 'module', target_id: moduleId, metadata: { module: mod + 1, title }, source: 'segment' });
      push({ action_type: 'started_module', target_type: 'module', target_id: moduleId, metadata: { module: mod + 1, title }, source: 'app' });
      const questions = rng.int(0, 3);
      for (let q = 0; q < questions; q++)
        push({
          action_type: 'answered_question',
          target_type: 'question',
          target_id: `q_${o.course.slug}_${mod + 1}_${q + 1}`,
          metadata: { module: mod + 1, answerLength: rng.int(20, 800) },
          source: 'app',
        });
      if (rng.chance(0.25)) {
        threadNo++;
        push({
          action_type: 'posted_thread',
          target_type: 'forum',
          target_id: `forum_${o.cohortId}`,
          metadata: { title: rng.pick(THREAD_TITLES), thread: `thr_${o.enrollmentId}_${threadNo}` },
          source: 'app',
        });
      }
      if (rng.chance(0.4))
        push({
          action_type: 'posted_reply',
          target_type: 'thread',
          target_id: `thr_${o.cohortId}_${rng.int(1, 40)}`,
          metadata: { words: rng.int(5, 300) },
          source: 'app',
        });
      push({
        action_type: 'completed_module',
        target_type: 'module',
        target_id: moduleId,
        metadata: { module: mod + 1, minutes: rng.int(10, 95) },
        source: 'app',
      });
      mod++;
      if (mod === o.course.modules.length)
        push({ action_type: 'completed_course', target_type: 'course', target_id: courseId, metadata: { modules: mod }, source: 'cron_worker' });
    } else {
      // After the course: the engaged keep revisiting content and talking in the forum.
      const r = rng.next();
      const m = rng.int(1, o.course.modules.length);
      if (r < 0.35)
        push({
          action_type: 'viewed_module',
          target_type: 'module',
          target_id: `mod_${o.course.slug}_${m}`,
          metadata: { module: m, revisit: true },
          source: 'segment',
        });
      else if (r < 0.5)
        push({
          action_type: 'viewed_module',
          target_type: 'content_block',
          target_id: `blk_${o.course.slug}_${m}_${rng.int(1, 12)}`,
          metadata: { module: m },
          source: 'segment',
        });
      else if (r < 0.6) {
        threadNo++;
        push({
          action_type: 'posted_thread',
          target_type: 'forum',
          target_id: `forum_${o.cohortId}`,
          metadata: { title: rng.pick(THREAD_TITLES), thread: `thr_${o.enrollmentId}_${threadNo}` },
          source: 'app',
        });
      } else if (r < 0.9)
        push({
          action_type: 'posted_reply',
          target_type: 'post',
          target_id: `pst_${o.cohortId}_${rng.int(1, 5000)}`,
          metadata: { words: rng.int(5, 300) },
          source: 'app',
        });
      else
        push({
          action_type: 'answered_question',
          target_type: 'question',
          target_id: `q_${o.course.slug}_${m}_${rng.int(1, 3)}`,
          metadata: { module: m, answerLength: rng.int(20, 800), revisit: true },
          source: 'app',
        });
    }
  }
  if (quitter)
    out.push({
      action_type: 'unenrolled',
      target_type: 'cohort',
      target_id: o.cohortId,
      metadata: { reason: rng.pick(['no time', 'moved away', 'not for me']) },
      source: 'webhook',
      at: 0,
    });
  // Times rise through the story, denser early on (members start keen).
  const span = Math.max(DAY, o.end - o.start);
  let t = o.start;
  const step = span / (out.length + 1);
  for (const a of out) {
    t += Math.max(1000, Math.floor(step * (0.2 + rng.next() * 1.6)));
    a.at = Math.min(t, o.end);
  }
  return out;
}
