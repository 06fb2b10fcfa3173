import type { Role, Stage } from '../../shared/enums.js';
import type { ChampionRow, ChampionStageChangeRow, CohortRow, EnrollmentRow, RowOf, SyncTable, UserActionRow, UserRow } from '../../shared/rows.js';
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

type Spec = (typeof DEMO_SIZES)[DemoSize];
const STAGES: Stage[] = ['candidate', 'selected', 'champion', 'alumni'];

/**
 * Rows in dependency order (cohorts, users, enrollments, actions, champions, stage changes), in
 * batches of at most `batchSize`. The demo logins (DEMO_LOGINS) are included as users
 * (credentials are the loader's job). Every step draws from one seeded generator in a fixed
 * order, so the steps below must keep their order for a seed to give the same rows.
 */
export function* generateDemo(size: DemoSize, seed = 20_261_101, batchSize = 5_000): Generator<DemoBatch> {
  const spec = DEMO_SIZES[size];
  const rng = new Prng(seed);
  const cohorts = makeCohorts(spec, rng);
  yield* inBatches('cohort', cohorts, batchSize);
  // Decided before users, so roles agree with champion stages.
  const { plans, planByUser } = planChampions(spec, rng);
  const users = makeUsers(spec, rng, planByUser);
  yield* inBatches('user', users.rows, batchSize);
  const counts = actionCounts(spec, rng);
  yield* enrollmentsAndActions({ spec, rng, cohorts, planByUser, userIds: users.ids, createdAt: users.createdAt, counts }, batchSize);
  const { champions, histories } = makeChampions(rng, plans, cohorts, users.ids);
  yield* inBatches('champion', champions, batchSize);
  yield* inBatches('champion_stage_change', histories, batchSize);
}

/** A table's rows, collected into batches of `batchSize` as they come. */
function batcher<K extends SyncTable>(table: K, batchSize: number) {
  let rows: RowOf[K][] = [];
  const take = (): DemoBatch => {
    const b = { table, rows } as DemoBatch;
    rows = [];
    return b;
  };
  return {
    add(row: RowOf[K]): DemoBatch | null {
      rows.push(row);
      return rows.length < batchSize ? null : take();
    },
    flush: (): DemoBatch | null => (rows.length === 0 ? null : take()),
  };
}

function* inBatches<K extends SyncTable>(table: K, rows: readonly RowOf[K][], batchSize: number): Generator<DemoBatch> {
  const b = batcher(table, batchSize);
  for (const r of rows) {
    const full = b.add(r);
    if (full) yield full;
  }
  const rest = b.flush();
  if (rest) yield rest;
}

/** Cohorts spread over the past year, each about eight weeks long. */
function makeCohorts(spec: Spec, rng: Prng): CohortRow[] {
  const cohorts: CohortRow[] = [];
  for (let c = 0; c < spec.cohorts; c++) {
    const starts = DEMO_ANCHOR - 365 * DAY + Math.floor(((c + rng.next() * 0.8) / spec.cohorts) * 400 * DAY);
    const ends = starts + 8 * 7 * DAY;
    const course = COURSES[c % COURSES.length]!;
    const city = rng.pick(ORIGINS).split(',')[0]!;
    const month = new Date(starts).getUTCMonth();
    const season = SEASONS[month < 2 || month === 11 ? 0 : Math.floor((month - 2) / 3) + 1]!;
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
  return cohorts;
}

/** Who becomes a champion row, in which cohort (or global) and at which stage; at most one row per member and cohort. */
function planChampions(spec: Spec, rng: Prng): { plans: ChampionPlan[]; planByUser: Map<number, ChampionPlan[]> } {
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
    const plan = { userIndex, cohortIndex, stage: STAGES[i % 4]! };
    plans.push(plan);
    planByUser.set(userIndex, [...existing, plan]);
  }
  return { plans, planByUser };
}

/** The demo logins, then the members; `ids` and `createdAt` are the members' (index i is member i + 1). */
function makeUsers(spec: Spec, rng: Prng, planByUser: Map<number, ChampionPlan[]>): { rows: UserRow[]; ids: string[]; createdAt: number[] } {
  const rows: UserRow[] = DEMO_LOGINS.map((d) => ({
    id: d.id,
    email: d.email,
    name: d.name,
    origin: 'London, United Kingdom',
    profile_img: null,
    roles: d.roles,
    created_at: iso(DEMO_ANCHOR - 400 * DAY),
  }));
  const ids: string[] = [];
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
    ids.push(id);
    rows.push({
      id,
      email: `${firstSlug}.${lastSlug}.${i}@example.org`,
      name: `${first} ${last}`,
      origin: rng.chance(0.9) ? rng.pick(ORIGINS) : null,
      profile_img: rng.chance(0.4) ? `https://avatars.example.org/${id}.jpg` : null,
      roles,
      created_at: iso(created),
    });
  }
  return { rows, ids, createdAt };
}

/** How many actions each member gets: heavily skewed (a few very active members), summing to the spec's total. */
function actionCounts(spec: Spec, rng: Prng): number[] {
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
  return counts;
}

interface MemberContext {
  spec: Spec;
  rng: Prng;
  cohorts: CohortRow[];
  planByUser: Map<number, ChampionPlan[]>;
  userIds: string[];
  createdAt: number[];
  counts: number[];
}

/** Enrollments and actions, one member at a time; actions follow their enrollments in the stream. */
function* enrollmentsAndActions(ctx: MemberContext, batchSize: number): Generator<DemoBatch> {
  const eb = batcher('enrollment', batchSize);
  const ab = batcher('user_action', batchSize);
  const events = { n: 0 };
  const pendingActions: UserActionRow[] = [];
  for (let i = 0; i < ctx.spec.users; i++) {
    for (const { enrollment, actions } of memberEnrollments(ctx, i, events)) {
      const b = eb.add(enrollment);
      if (b) yield b;
      pendingActions.push(...actions);
    }
    // Actions after enrollments in the stream: each batch's foreign keys already exist.
    if (pendingActions.length >= batchSize || i === ctx.spec.users - 1) {
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
}

/** Member i's enrollments (their planned champion cohorts first), each with its share of the member's actions. */
function memberEnrollments(ctx: MemberContext, i: number, events: { n: number }): { enrollment: EnrollmentRow; actions: UserActionRow[] }[] {
  const { spec, rng } = ctx;
  const userId = ctx.userIds[i]!;
  const total = ctx.counts[i]!;
  const nEnroll = total > 400 ? 3 : total > 60 ? 2 : 1;
  const myCohorts = new Set<number>(ctx.planByUser.get(i + 1)?.flatMap((p) => (p.cohortIndex === null ? [] : [p.cohortIndex])) ?? []);
  while (myCohorts.size < nEnroll) myCohorts.add(rng.int(0, spec.cohorts - 1));
  const cohortList = [...myCohorts];
  let remainingForUser = total;
  return cohortList.map((ci, k) => {
    const cohort = ctx.cohorts[ci]!;
    const course = COURSES[ci % COURSES.length]!;
    const enrollmentId = `enr_${i + 1}_${k + 1}`;
    const share = k === cohortList.length - 1 ? remainingForUser : Math.floor(remainingForUser / (cohortList.length - k));
    remainingForUser -= share;
    // Enrolling in a cohort that starts later happened before now, like all of a member's actions.
    const start = Math.min(Math.max(ctx.createdAt[i]!, Date.parse(cohort.starts_at!) - 14 * DAY), DEMO_ANCHOR - 2 * DAY);
    const end = Math.min(DEMO_ANCHOR, Date.parse(cohort.ends_at!) + 60 * DAY);
    const acts = memberStory(rng, { userId, enrollmentId, course, cohortId: cohort.id, count: share, start, end: Math.max(end, start + DAY) });
    const status: EnrollmentRow['status'] = acts.some((a) => a.action_type === 'unenrolled')
      ? 'withdrawn'
      : acts.some((a) => a.action_type === 'completed_course')
        ? 'completed'
        : 'active';
    return {
      enrollment: { id: enrollmentId, user_id: userId, cohort_id: cohort.id, course_name: course.name, status, enrolled_at: iso(start) },
      actions: acts.map((a) => actionRow(a, userId, enrollmentId, ++events.n)),
    };
  });
}

function actionRow(a: StoryAction, userId: string, enrollmentId: string, eventNo: number): UserActionRow {
  const sourceEventId = `evt_${pad(eventNo, 8)}`;
  return {
    id: `act_${pad(eventNo, 8)}`,
    user_id: userId,
    enrollment_id: enrollmentId,
    action_type: a.action_type,
    target_type: a.target_type,
    target_id: a.target_id,
    metadata: a.metadata,
    source_system: a.source,
    source_event_id: sourceEventId,
    idempotency_key: upstreamIdempotencyKey(a.source, sourceEventId),
    occurred_at: iso(a.at),
  };
}

/** The planned champion rows, each with a history that walks to its stage. */
function makeChampions(
  rng: Prng,
  plans: readonly ChampionPlan[],
  cohorts: readonly CohortRow[],
  userIds: readonly string[],
): { champions: ChampionRow[]; histories: ChampionStageChangeRow[] } {
  const champions: ChampionRow[] = [];
  const histories: ChampionStageChangeRow[] = [];
  for (const [n, p] of plans.entries()) {
    const userId = userIds[p.userIndex - 1]!;
    const id = `ch_${pad(n + 1, 4)}_${userId.split('_').slice(2).join('_')}`;
    const firstAt = (p.cohortIndex === null ? DEMO_ANCHOR - 300 * DAY : Date.parse(cohorts[p.cohortIndex]!.starts_at!)) + rng.int(1, 20) * DAY;
    const walk = stageWalk(rng, p.stage);
    const history = stageHistory(rng, id, walk, firstAt, histories.length);
    histories.push(...history);
    champions.push({
      id,
      user_id: userId,
      cohort_id: p.cohortIndex === null ? null : cohorts[p.cohortIndex]!.id,
      stage: p.stage,
      notes: rng.pick(CHAMPION_NOTES),
      selected_at: history.findLast((h) => h.to_stage === 'selected')?.changed_at ?? null,
      became_champion_at: history.find((h) => h.to_stage === 'champion')?.changed_at ?? null,
      // One version for the row's first stage, one more per move of its history.
      stage_version: walk.length,
    });
  }
  return { champions, histories };
}

/** The stages a champion row went through to reach `stage`, one step at a time. */
function stageWalk(rng: Prng, stage: Stage): Stage[] {
  const walk: Stage[] = ['candidate'];
  const target = STAGES.indexOf(stage);
  for (let s = 1; s <= target; s++) {
    // Now and then a coordinator moves someone on too early and steps back: history shows the correction.
    if (rng.chance(0.08)) walk.push(STAGES[s]!, STAGES[s - 1]!);
    walk.push(STAGES[s]!);
  }
  return walk;
}

/** One stage change per step of the walk, days to weeks apart, all before now; ids continue from `before`. */
function stageHistory(rng: Prng, championId: string, walk: readonly Stage[], firstAt: number, before: number): ChampionStageChangeRow[] {
  const times: number[] = [];
  let t = firstAt;
  for (let k = 0; k < walk.length; k++) {
    times.push(t);
    t += rng.int(3, 40) * DAY;
  }
  // A history ends before now: one that would run past the anchor happened that much earlier.
  const overshoot = Math.max(0, times.at(-1)! - (DEMO_ANCHOR - DAY));
  return walk.map((to, k) => {
    const prev = k === 0 ? null : walk[k - 1]!;
    const reason: string | null =
      prev === null
        ? null
        : STAGES.indexOf(to) < STAGES.indexOf(prev)
          ? 'Moved back: not ready yet'
          : rng.chance(0.4)
            ? rng.pick(['Completed facilitator training', 'Great feedback from cohort', 'Agreed at team meeting', 'Stepping back for now'])
            : null;
    return {
      id: `csc_${pad(before + k + 1, 6)}`,
      champion_id: championId,
      from_stage: prev,
      to_stage: to,
      changed_at: iso(times[k]! - overshoot),
      changed_by: DEMO_COORDINATOR.id,
      reason,
    };
  });
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
function memberStory(rng: Prng, o: StoryOptions): StoryAction[] {
  const out: StoryAction[] = [];
  // A few members drop out: their story ends with `unenrolled` as its last action.
  const quitter = o.count >= 2 && o.count < 12 && rng.chance(0.3);
  const limit = quitter ? o.count - 1 : o.count;
  // Past the limit an action is dropped, but its random draws are still made: a seed's rows depend on it.
  const push: Push = (a) => out.length < limit && out.push({ ...a, at: 0 });
  push({
    action_type: 'enrolled',
    target_type: 'cohort',
    target_id: o.cohortId,
    metadata: { course: o.course.name },
    source: rng.chance(0.5) ? 'stripe' : 'webhook',
  });
  const story = { mod: 0, threadNo: 0 };
  while (out.length < limit) {
    if (story.mod < o.course.modules.length) moduleActions(rng, o, story, push);
    else revisitAction(rng, o, story, push);
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

interface StoryOptions {
  userId: string;
  enrollmentId: string;
  course: (typeof COURSES)[number];
  cohortId: string;
  count: number;
  start: number;
  end: number;
}
type Push = (a: Omit<StoryAction, 'at'>) => unknown;

/** One module of the course, and the course's completion after its last one. */
function moduleActions(rng: Prng, o: StoryOptions, story: { mod: number; threadNo: number }, push: Push): void {
  const mod = story.mod;
  const courseId = `crs_${o.course.slug}`;
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
  if (rng.chance(0.25)) postThread(rng, o, story, push);
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
  story.mod++;
  if (story.mod === o.course.modules.length)
    push({ action_type: 'completed_course', target_type: 'course', target_id: courseId, metadata: { modules: story.mod }, source: 'cron_worker' });
}

/** A new thread in the cohort's forum, numbered per member (during the course and after it). */
function postThread(rng: Prng, o: StoryOptions, story: { threadNo: number }, push: Push): void {
  story.threadNo++;
  push({
    action_type: 'posted_thread',
    target_type: 'forum',
    target_id: `forum_${o.cohortId}`,
    metadata: { title: rng.pick(THREAD_TITLES), thread: `thr_${o.enrollmentId}_${story.threadNo}` },
    source: 'app',
  });
}

/** After the course: the engaged keep revisiting content and talking in the forum. */
function revisitAction(rng: Prng, o: StoryOptions, story: { threadNo: number }, push: Push): void {
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
  else if (r < 0.6) postThread(rng, o, story, push);
  else if (r < 0.9)
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
