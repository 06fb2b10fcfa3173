import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { MutationEnvelope } from '../../shared/mutations.js';
import type { MutationResult } from '../../shared/protocol.js';
import { openServerDatabase, type Database } from '../db/database.js';
import { dumpTables } from '../testing/dumpTables.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { applyMutation } from './applyMutation.js';
import { parseMutation } from '../../shared/mutations.js';
import { push } from './push.js';
import { recordActionsBulk } from './recordActionsBulk.js';

const NOW = Date.parse('2026-05-01T12:00:00.000Z');
const COORD = 'usr_coord';

const opened: { db: Database; backend: Backend }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.db.close();
    await o.backend.dispose();
  }
});

async function seeded(kind: (typeof BACKENDS)[number]): Promise<Database> {
  const backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
  const db = await openServerDatabase(backend.data);
  opened.push({ db, backend });
  await db.write(async (tx) => {
    await tx.rows(sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES
      (${COORD}, 'c@x.test', 'Coord', '["admin"]', '2026-01-01T00:00:00Z'),
      ('usr_a', 'a@x.test', 'Ana', '["student"]', '2026-01-01T00:00:00Z'),
      ('usr_b', 'b@x.test', 'Bo', '["student"]', '2026-01-01T00:00:00Z')`);
    // This pusher holds every community (issue 13): the answers here are about the bulk path, not scopes.
    await tx.rows(sql`INSERT INTO coordinator_scope (user_id, "all") VALUES (${COORD}, true)`);
    await tx.rows(sql`INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES
      ('enr_a', 'usr_a', NULL, 'Course', 'active', '2026-01-02T00:00:00Z'),
      ('enr_b', 'usr_b', NULL, 'Course', 'active', '2026-01-02T00:00:00Z')`);
    await tx.rows(sql`INSERT INTO user_action (id, user_id, enrollment_id, action_type, metadata, source_system, idempotency_key, occurred_at)
      VALUES ('act_old', 'usr_a', NULL, 'enrolled', '{}', 'manual', 'k_old', '2026-01-03T00:00:00Z')`);
  });
  return db;
}

const rec = (id: number, args: Record<string, unknown>): MutationEnvelope =>
  ({
    id,
    name: 'action.record',
    args: {
      id: `act_m${id}`,
      userId: 'usr_a',
      enrollmentId: null,
      actionType: 'viewed_module',
      targetType: 'module',
      targetId: 'mod_1',
      metadata: {},
      occurredAt: '2026-04-30T10:00:00.000Z',
      idempotencyKey: `k${id}`,
      ...args,
    },
  }) as MutationEnvelope;

// Every rule of action.record, and the interplay of mutations within one batch.
const MIX: MutationEnvelope[] = [
  rec(1, {}),
  rec(2, { enrollmentId: 'enr_a', metadata: { note: 'ünïcødé "quoted" \\ back', nested: { n: [1, 2.5, null, true] } } }),
  rec(3, { idempotencyKey: 'k1' }), // same key as #1 in the same batch → deduplicated to act_m1
  rec(4, { idempotencyKey: 'k_old' }), // key already on the server → act_old
  rec(5, { userId: 'usr_nobody' }), // unknown member
  rec(6, { enrollmentId: 'enr_b' }), // another member's enrollment
  rec(7, { enrollmentId: 'enr_nothing' }), // unknown enrollment
  rec(8, { actionType: 'teleported' }), // invalid args
  rec(9, { occurredAt: '2026-05-01T13:00:00.000Z' }), // an hour in the future
  rec(10, { id: 'act_m1' }), // id already taken by #1 of this batch
  rec(11, { id: 'act_old' }), // id already on the server
  rec(12, { idempotencyKey: 'k5', userId: 'usr_b' }), // key of the rejected #5: applies
  rec(13, { idempotencyKey: 'k_old', userId: 'usr_nobody' }), // key checked before the member
  rec(14, { userId: 'usr_b', enrollmentId: 'enr_b', targetType: null, targetId: null, idempotencyKey: 'k2' }), // dup of #2
  { id: 15, name: 'action.record', args: { id: 'act_m15' } } as unknown as MutationEnvelope, // missing fields
  rec(16, { userId: 'usr_b', enrollmentId: 'enr_b', occurredAt: '2026-05-01T12:04:00.000Z' }), // within the 5 min drift
];

async function oneByOne(db: Database, envs: readonly MutationEnvelope[]): Promise<MutationResult[]> {
  return db.write(async (tx) => {
    const out: MutationResult[] = [];
    for (const env of envs) {
      const p = parseMutation(env);
      out.push(
        p.ok
          ? { id: env.id, ...(await applyMutation(tx, p.mutation, { userId: COORD, now: NOW })) }
          : { id: env.id, status: 'rejected', code: 'invalid_args', message: p.message, field: p.field },
      );
    }
    return out;
  });
}

describe.each(BACKENDS)('action.record bulk path (%s)', (kind) => {
  it('answers and writes exactly as applying the mutations one by one, incl. duplicates within the batch, unknown members and invalid args', async (t) => {
    if (kind === 'postgres' && !(await postgresReachable())) return t.skip(SKIP_PG_MESSAGE);
    const single = await seeded(kind);
    const bulk = await seeded(kind);
    const expected = await oneByOne(single, MIX);
    const got = await bulk.write((tx) => recordActionsBulk(tx, MIX, { userId: COORD, now: NOW }));
    expect(got).toEqual(expected);
    // The mix exercises every outcome, so the comparison above cannot pass vacuously.
    expect(new Set(got.map((r) => r.code ?? r.status))).toEqual(new Set(['applied', 'not_found', 'invalid_args']));
    expect(got.filter((r) => r.deduplicatedTo !== undefined).map((r) => [r.id, r.deduplicatedTo])).toEqual([
      [3, 'act_m1'],
      [4, 'act_old'],
      [13, 'act_old'],
      [14, 'act_m2'],
    ]);
    const [a, b] = [await dumpTables(single), await dumpTables(bulk)];
    expect([...b.user_action.entries()].sort()).toEqual([...a.user_action.entries()].sort());
    expect(b.user_action.size).toBe(5); // act_old + #1, #2, #12, #16
  });

  it('a push mixing champion mutations and runs of action.record applies everything once and advances lastMutationId once; a resend applies nothing and gets the same answers', async (t) => {
    if (kind === 'postgres' && !(await postgresReachable())) return t.skip(SKIP_PG_MESSAGE);
    const db = await seeded(kind);
    const mutations: MutationEnvelope[] = [
      rec(1, {}),
      rec(2, { idempotencyKey: 'k1' }),
      { id: 3, name: 'champion.create', args: { id: 'ch_a', userId: 'usr_a', cohortId: null, notes: '' } },
      {
        id: 4,
        name: 'champion.move',
        args: { id: 'ch_a', from: 'candidate', to: 'champion', at: '2026-04-30T10:00:00.000Z', reason: null, baseVersion: 1 },
      },
      rec(5, { userId: 'usr_nobody' }),
      rec(6, {}),
      rec(7, { idempotencyKey: 'k6' }),
    ];
    const req = { protocol: 2 as const, databaseId: null, ack: 0, clientId: '6f1c2b1e-1d5c-4a57-9d0e-3c1b8f0a2b11', mutations };
    const first = await push(db, COORD, req, NOW);
    expect(first.lastMutationId).toBe(7);
    expect(first.results.map((r) => [r.id, r.status, r.code ?? r.deduplicatedTo ?? null])).toEqual([
      [1, 'applied', null],
      [2, 'applied', 'act_m1'],
      [3, 'applied', null],
      [4, 'rejected', 'invalid_transition'],
      [5, 'rejected', 'not_found'],
      [6, 'applied', null],
      [7, 'applied', 'act_m6'],
    ]);
    const before = await dumpTables(db);
    const again = await push(db, COORD, req, NOW);
    // Protocol 2: a resend is answered with the remembered outcomes (it was `already_applied` in protocol 1).
    expect(again).toEqual(first);
    expect(await dumpTables(db)).toEqual(before);
    expect([...before.user_action.keys()].sort()).toEqual(['act_m1', 'act_m6', 'act_old']);
    expect(before.champion.get('ch_a')).toMatchObject({ stage: 'candidate' });
  });
});
