import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../../src/server/erasure.js';
import { Prng } from '../../src/server/demo/prng.js';
import { ACTION_TYPES } from '../../src/shared/enums.js';
import type { CohortRow, EnrollmentRow, UserActionRow, UserRow } from '../../src/shared/rows.js';
import { insightDeferred } from '../../src/main/insight/derivedTables.js';
import { derivedAsStored, derivedFromScratch } from '../../src/main/insight/testing/fromScratch.js';
import { localDump, newClient, serverDump, startTestServer, type TestClient, type TestServer } from './harness.js';

// The cohort-insight tables through real syncs: a first pull (many pages, on the pull worker, the
// triggers dropped and the tables rebuilt at the end), then rounds in which the server gains and
// loses actions, moves and withdraws enrollments and erases members while the laptop records
// actions of its own. After every sync every derived row must equal a computation from scratch.

const SEED = Number(process.env.AFH_INSIGHT_SEED ?? 20_261_128);
const MEMBERS = 60;
const COHORTS = 5;
const DAY = 86_400_000;
const BASE = Date.parse('2026-02-02T00:00:00Z');

let s: TestServer;
let c: TestClient;
const rng = new Prng(SEED);
const iso = (ms: number) => new Date(ms).toISOString();
const members = Array.from({ length: MEMBERS }, (_, i) => `usr_i${String(i).padStart(3, '0')}`);
const cohorts = Array.from({ length: COHORTS }, (_, i) => `coh_i${i}`);
let enrollments: EnrollmentRow[] = [];
let actionNo = 0;

function actionsFor(n: number): UserActionRow[] {
  return Array.from({ length: n }, () => {
    const e = rng.pick(enrollments);
    const id = `act_i${actionNo++}`;
    // Most actions belong to the member's enrollment; some to none, some to another member's.
    const enrollment_id = rng.chance(0.1) ? null : rng.chance(0.05) ? rng.pick(enrollments).id : e.id;
    return {
      id,
      user_id: e.user_id,
      enrollment_id,
      action_type: rng.chance(0.1) ? 'completed_course' : rng.pick(ACTION_TYPES),
      target_type: 'module',
      target_id: `mod_x_${rng.int(1, 8)}`,
      metadata: { module: rng.int(1, 8) },
      source_system: 'webhook',
      source_event_id: `evt_${id}`,
      idempotency_key: `user_action:webhook:evt_${id}`,
      occurred_at: iso(BASE + rng.int(0, 90) * DAY + rng.int(0, DAY - 1)),
    };
  });
}

async function syncAndCompare(label: string): Promise<void> {
  const status = await c.engine.syncNow();
  expect(status.error, label).toBeNull();
  expect(insightDeferred(c.app.sqlite), label).toBe(false);
  // The mirror is the server's, and the derived rows are exactly what the mirror implies.
  const server = await serverDump(s);
  const local = localDump(c.app);
  expect(local.user_action.length, label).toBe(server.user_action.length);
  expect(local.enrollment, label).toEqual(server.enrollment);
  expect(derivedAsStored(c.app.sqlite), label).toEqual(derivedFromScratch(c.app.sqlite));
}

beforeAll(async () => {
  s = await startTestServer('pglite');
  const users: UserRow[] = members.map((id, i) => ({
    id,
    email: `${id}@example.org`,
    name: `Member ${i}`,
    origin: null,
    profile_img: null,
    roles: ['student'],
    created_at: '2026-01-01T00:00:00Z',
  }));
  const cohortRows: CohortRow[] = cohorts.map((id, i) => ({
    id,
    name: `Cohort ${i}`,
    starts_at: iso(BASE + i * 7 * DAY),
    ends_at: iso(BASE + (i + 8) * 7 * DAY),
    status: 'active',
    created_at: '2026-01-01T00:00:00Z',
  }));
  // Some members in two cohorts, some self-paced (no cohort).
  enrollments = members.flatMap((m, i) => {
    const rows: EnrollmentRow[] = [
      {
        id: `enr_i${i}_1`,
        user_id: m,
        cohort_id: i % 9 === 0 ? null : cohorts[i % COHORTS]!,
        course_name: 'Ten Keys',
        status: 'active',
        enrolled_at: iso(BASE + rng.int(-10, 30) * DAY),
      },
    ];
    if (i % 4 === 0)
      rows.push({ ...rows[0]!, id: `enr_i${i}_2`, cohort_id: cohorts[(i + 1) % COHORTS]!, status: rng.chance(0.3) ? 'withdrawn' : 'active' });
    return rows;
  });
  await s.server.admin.insertRows('user', users);
  await s.server.admin.insertRows('cohort', cohortRows);
  await s.server.admin.insertRows('enrollment', enrollments);
  await s.server.admin.insertRows('user_action', actionsFor(3000));
  // Small pages: the first pull runs many of them, on the pull worker once it is up.
  c = await newClient(s.url, { pullLimit: 150 });
});
afterAll(async () => {
  await c?.close();
  await s?.close();
});

describe('cohort insight tables through real syncs', () => {
  it('equal a from-scratch computation after a first pull of many pages', async () => {
    await syncAndCompare('first pull');
    expect(derivedAsStored(c.app.sqlite).cohortWeek.length).toBeGreaterThan(20);
  });

  it('stay equal through rounds of upstream inserts, deletes, enrollment moves, withdrawals, erasures and local actions', async () => {
    const db = s.server.admin.database;
    for (let round = 0; round < 6; round++) {
      await s.server.admin.insertRows('user_action', actionsFor(rng.int(20, 120)));
      const doomed = Array.from({ length: rng.int(5, 40) }, () => `act_i${rng.int(0, actionNo - 1)}`);
      const moved = rng.pick(enrollments);
      const withdrawn = rng.pick(enrollments);
      await db.write(async (tx) => {
        for (const id of doomed) await tx.rows(sql`DELETE FROM user_action WHERE id = ${id}`);
        // A cohort move, a self-paced enrollment joining a cohort or the other way, and a withdrawal.
        await tx.rows(sql`UPDATE enrollment SET cohort_id = ${rng.chance(0.2) ? null : rng.pick(cohorts)} WHERE id = ${moved.id}`);
        await tx.rows(sql`UPDATE enrollment SET status = 'withdrawn' WHERE id = ${withdrawn.id}`);
        // Actions re-dated: they change week, and so the weekly counts of their cohort.
        await tx.rows(sql`UPDATE user_action SET occurred_at = occurred_at + interval '9 days' WHERE id = ${`act_i${rng.int(0, actionNo - 1)}`}`);
      });
      if (round % 2 === 1) {
        const gone = members[rng.int(0, MEMBERS - 1)]!;
        await eraseUser(db, gone).catch(() => undefined); // already erased in an earlier round: nothing to do
        enrollments = enrollments.filter((e) => e.user_id !== gone);
      }
      // The coordinator records actions offline, linked to enrollments, before syncing.
      for (let i = 0; i < 5 && enrollments.length > 0; i++) {
        const e = rng.pick(enrollments);
        c.local.recordAction({
          userId: e.user_id,
          enrollmentId: e.id,
          actionType: rng.pick(ACTION_TYPES),
          targetType: null,
          targetId: null,
          metadata: {},
          occurredAt: iso(BASE + rng.int(0, 90) * DAY),
        });
      }
      expect(derivedAsStored(c.app.sqlite), `round ${round}, offline`).toEqual(derivedFromScratch(c.app.sqlite));
      await syncAndCompare(`round ${round}`);
    }
  });

  it('are rebuilt exactly after a full resync, which drops the triggers before forgetting every row', async () => {
    await c.engine.fullResync();
    await syncAndCompare('full resync');
  });
});
