import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ipcContract } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { tempDatabase } from '../testing/tempDb.js';
import { championHistory, getBoard, listCohorts } from './board.js';
import { getMember } from './member.js';

let t: ReturnType<typeof tempDatabase>;
let app: AppDb;

const run = (sql: string, ...params: unknown[]) => app.sqlite.prepare(sql).run(...params);

beforeAll(() => {
  t = tempDatabase();
  app = t.app;
  const users: [string, string][] = [
    ['usr_maya', 'Maya López'],
    ['usr_ben', 'Ben Ng'],
    ['usr_cat', 'Cat Dubois'],
    ['usr_dan', 'Dan Smith'],
    ['usr_eve', 'Eve Martin'],
    ['usr_admin', 'Ada Coordinator'],
  ];
  for (const [id, name] of users) {
    run(
      `INSERT INTO user (id, email, name, roles, created_at) VALUES (?, ?, ?, '["student"]', '2026-01-01T00:00:00Z')`,
      id,
      `${id}@example.org`,
      name,
    );
  }
  run(`INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_spring', 'Spring 2026', 'active', '2026-01-01T00:00:00Z')`);
  run(`INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_autumn', 'Autumn 2025', 'finished', '2025-06-01T00:00:00Z')`);
  run(`INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_empty', 'Winter 2026', 'planned', '2026-02-01T00:00:00Z')`);
  const ch = (id: string, userId: string, cohortId: string | null, stage: string) =>
    run(`INSERT INTO champion (id, user_id, cohort_id, stage, notes) VALUES (?, ?, ?, ?, 'n')`, id, userId, cohortId, stage);
  ch('ch_maya', 'usr_maya', 'coh_spring', 'selected');
  ch('ch_ben', 'usr_ben', 'coh_spring', 'candidate');
  ch('ch_cat', 'usr_cat', 'coh_spring', 'candidate');
  ch('ch_dan', 'usr_dan', 'coh_spring', 'champion');
  ch('ch_ghost', 'usr_gone', 'coh_spring', 'alumni'); // member not (yet) pulled
  ch('ch_maya_g', 'usr_maya', null, 'champion');
  ch('ch_eve_g', 'usr_eve', null, 'candidate');
  ch('ch_eve_a', 'usr_eve', 'coh_autumn', 'alumni');
  const csc = (id: string, championId: string, from: string | null, to: string, at: string, pending: number | null = null, by = 'usr_admin') =>
    run(
      `INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason, pending_mutation_id) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
      id,
      championId,
      from,
      to,
      at,
      by,
      pending,
    );
  // Maya went forward, back, and forward again: time in stage counts from the last entry.
  csc('csc_1', 'ch_maya', null, 'candidate', '2026-03-01T09:00:00Z');
  csc('csc_2', 'ch_maya', 'candidate', 'selected', '2026-03-02T09:00:00Z');
  csc('csc_3', 'ch_maya', 'selected', 'candidate', '2026-03-03T09:00:00Z');
  csc('csc_5', 'ch_maya', 'candidate', 'selected', '2026-03-04T09:00:00Z', null, 'usr_unknown');
  csc('csc_4', 'ch_maya', 'candidate', 'selected', '2026-03-04T09:00:00Z', 7); // optimistic twin, same instant
  csc('csc_6', 'ch_dan', null, 'candidate', '2026-02-01T09:00:00Z');
  csc('csc_7', 'ch_dan', 'candidate', 'selected', '2026-02-10T09:00:00Z');
  csc('csc_8', 'ch_dan', 'selected', 'champion', '2026-02-20T09:00:00Z');
  run(
    `INSERT INTO outbox (id, name, args, created_at) VALUES (7, 'champion.move', ?, '2026-03-04T09:00:00Z')`,
    JSON.stringify({ id: 'ch_maya', from: 'candidate', to: 'selected' }),
  );
  run(`INSERT INTO outbox (id, name, args, created_at) VALUES (8, 'action.record', ?, '2026-03-04T09:00:00Z')`, JSON.stringify({ id: 'ch_ben' }));
  const conflict = (entityId: string, resolvedAt: string | null) =>
    run(
      `INSERT INTO conflict (mutation_id, name, args, code, message, entity_table, entity_id, created_at, resolved_at) VALUES (1, 'champion.move', '{}', 'stale', 'moved elsewhere', 'champion', ?, '2026-03-05T00:00:00Z', ?)`,
      entityId,
      resolvedAt,
    );
  conflict('ch_cat', null);
  conflict('ch_cat', null);
  conflict('ch_cat', '2026-03-06T00:00:00Z');
  conflict('ch_dan', '2026-03-06T00:00:00Z');
});
afterAll(() => t.dispose());

describe('board', () => {
  it('lists cohorts by name', () => {
    expect(listCohorts(app).cohorts.map((c) => c.id)).toEqual(['coh_autumn', 'coh_spring', 'coh_empty']);
  });

  it('has one column per stage in pipeline order with counts, cards by member name', () => {
    const board = getBoard(app, { cohortId: 'coh_spring' });
    expect(ipcContract['board.get'].output.safeParse(board).success).toBe(true);
    expect(board.columns.map((c) => [c.stage, c.count, c.cards.map((x) => x.champion.id)])).toEqual([
      ['candidate', 2, ['ch_ben', 'ch_cat']],
      ['selected', 1, ['ch_maya']],
      ['champion', 1, ['ch_dan']],
      ['alumni', 1, ['ch_ghost']],
    ]);
    const maya = board.columns[1]!.cards[0]!;
    expect(maya.userName).toBe('Maya López');
    expect(maya.userEmail).toBe('usr_maya@example.org');
    expect(maya.cohortName).toBe('Spring 2026');
    expect(board.columns[3]!.cards[0]!.userName).toBeNull();
  });

  it('shows only the global rows on the global board, and empty columns for an empty cohort', () => {
    const global = getBoard(app, { cohortId: null });
    expect(global.cohortId).toBeNull();
    expect(global.columns.flatMap((c) => c.cards.map((x) => x.champion.id)).sort()).toEqual(['ch_eve_g', 'ch_maya_g']);
    expect(global.columns.flatMap((c) => c.cards.map((x) => x.cohortName))).toEqual([null, null]);
    expect(getBoard(app, { cohortId: 'coh_empty' }).columns.map((c) => c.count)).toEqual([0, 0, 0, 0]);
  });

  it('takes time in stage from the latest history row that entered the current stage', () => {
    const cards = getBoard(app, { cohortId: 'coh_spring' }).columns.flatMap((c) => c.cards);
    const at = (id: string) => cards.find((c) => c.champion.id === id)!.enteredStageAt;
    expect(at('ch_maya')).toBe('2026-03-04T09:00:00Z');
    expect(at('ch_dan')).toBe('2026-02-20T09:00:00Z');
    expect(at('ch_ben')).toBeNull(); // no history pulled yet
  });

  it('marks cards with a champion mutation in the outbox as pending and counts open conflicts', () => {
    const cards = getBoard(app, { cohortId: 'coh_spring' }).columns.flatMap((c) => c.cards);
    const card = (id: string) => cards.find((c) => c.champion.id === id)!;
    expect(card('ch_maya').pending).toBe(true);
    expect(card('ch_ben').pending).toBe(false); // an action.record whose id happens to match is not about this card
    expect(card('ch_cat').openConflicts).toBe(2);
    expect(card('ch_dan').openConflicts).toBe(0);
  });

  it("gives a card's history oldest first, optimistic rows after the server rows of the same instant", () => {
    const h = championHistory(app, { id: 'ch_maya' });
    expect(ipcContract['champion.history'].output.safeParse(h).success).toBe(true);
    expect(h.changes.map((c) => c.id)).toEqual(['csc_1', 'csc_2', 'csc_3', 'csc_5', 'csc_4']);
    expect(h.changes.map((c) => c.pending)).toEqual([false, false, false, false, true]);
    expect(h.changes[0]!.changedByName).toBe('Ada Coordinator');
    expect(h.changes[3]!.changedByName).toBeNull();
    expect(championHistory(app, { id: 'ch_nobody' }).changes).toEqual([]);
  });
});

describe('member', () => {
  it('returns null for an unknown member', () => {
    expect(getMember(app, { id: 'usr_nobody' })).toBeNull();
  });

  it('returns the profile, enrollments with cohort names, champion cards and the action count', () => {
    run(
      `INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES ('enr_1', 'usr_maya', 'coh_spring', 'Ten Keys', 'active', '2026-01-10T00:00:00Z')`,
    );
    run(
      `INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES ('enr_2', 'usr_maya', NULL, 'Self-paced', 'completed', '2026-02-10T00:00:00Z')`,
    );
    run(
      `INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES ('enr_3', 'usr_ben', 'coh_spring', 'Ten Keys', 'active', '2026-01-10T00:00:00Z')`,
    );
    for (let i = 0; i < 5; i++) {
      run(
        `INSERT INTO user_action (id, user_id, action_type, occurred_at) VALUES (?, ?, 'viewed_module', '2026-03-01T00:00:00Z')`,
        `act_m${i}`,
        i < 3 ? 'usr_maya' : 'usr_ben',
      );
    }
    const m = getMember(app, { id: 'usr_maya' })!;
    expect(ipcContract['member.get'].output.safeParse(m).success).toBe(true);
    expect(m.user).toMatchObject({ id: 'usr_maya', name: 'Maya López', roles: ['student'], origin: null });
    expect(m.enrollments.map((e) => [e.id, e.cohortName])).toEqual([
      ['enr_2', null],
      ['enr_1', 'Spring 2026'],
    ]);
    expect(m.champions.map((c) => c.champion.id).sort()).toEqual(['ch_maya', 'ch_maya_g']);
    expect(m.champions.find((c) => c.champion.id === 'ch_maya')!.pending).toBe(true);
    expect(m.actionCount).toBe(3);
  });
});
