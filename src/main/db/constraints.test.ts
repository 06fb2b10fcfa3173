import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from './testing/tempDb.js';
import type { AppDb } from './open.js';

let t: ReturnType<typeof tempDatabase>;
let app: AppDb;
beforeAll(() => {
  t = tempDatabase();
  app = t.app;
});
afterAll(() => t.dispose());

let seq = 0;
function action(over: Record<string, unknown> = {}) {
  const row = {
    id: `act_c${++seq}`,
    user_id: 'usr_1',
    action_type: 'viewed_module',
    target_type: 'module',
    metadata: '{}',
    source_system: null,
    source_event_id: null,
    idempotency_key: null,
    occurred_at: '2026-04-20T10:00:00Z',
    ...over,
  };
  app.sqlite
    .prepare(
      `INSERT INTO user_action (id, user_id, action_type, target_type, metadata, source_system, source_event_id, idempotency_key, occurred_at)
       VALUES (@id, @user_id, @action_type, @target_type, @metadata, @source_system, @source_event_id, @idempotency_key, @occurred_at)`,
    )
    .run(row);
  return row.id;
}
function insertUser(id: string, roles: string) {
  app.sqlite
    .prepare(`INSERT INTO user (id, email, name, roles, created_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z')`)
    .run(id, `${id}@example.org`, id, roles);
}
function champion(id: string, userId: string, cohortId: string | null, stage = 'candidate') {
  app.sqlite.prepare(`INSERT INTO champion (id, user_id, cohort_id, stage) VALUES (?, ?, ?, ?)`).run(id, userId, cohortId, stage);
}

describe('user_action partial unique indexes', () => {
  it('rejects a second (source_system, source_event_id) pair, naming the index columns', () => {
    action({ source_system: 'webhook', source_event_id: 'evt_1' });
    expect(() => action({ source_system: 'webhook', source_event_id: 'evt_1' })).toThrow(
      /UNIQUE constraint failed: user_action\.source_system, user_action\.source_event_id/,
    );
  });

  it('accepts the same source_event_id under another source_system', () => {
    action({ source_system: 'stripe', source_event_id: 'evt_shared' });
    expect(() => action({ source_system: 'segment', source_event_id: 'evt_shared' })).not.toThrow();
  });

  it('rejects a second idempotency_key', () => {
    action({ idempotency_key: 'user_action:manual:c1:a1' });
    expect(() => action({ idempotency_key: 'user_action:manual:c1:a1' })).toThrow(/UNIQUE constraint failed: user_action\.idempotency_key/);
  });

  it('accepts any number of rows whose source pair or idempotency key is NULL', () => {
    for (let i = 0; i < 5; i++) action({ source_system: null, source_event_id: null, idempotency_key: null });
    for (let i = 0; i < 3; i++) action({ source_system: 'webhook', source_event_id: null });
    for (let i = 0; i < 3; i++) action({ source_system: null, source_event_id: 'evt_orphan' });
    const n = app.sqlite.prepare('SELECT count(*) AS n FROM user_action WHERE idempotency_key IS NULL').get() as { n: number };
    expect(n.n).toBeGreaterThanOrEqual(11);
  });

  it('a rejected insert changes nothing', () => {
    const before = app.sqlite.prepare('SELECT count(*) AS n FROM user_action').get();
    expect(() => action({ idempotency_key: 'user_action:manual:c1:a1' })).toThrow();
    expect(app.sqlite.prepare('SELECT count(*) AS n FROM user_action').get()).toEqual(before);
  });
});

describe('champion uniqueness', () => {
  it('allows one row per user per cohort and rejects a second', () => {
    champion('ch_a1', 'usr_a', 'coh_1');
    champion('ch_a2', 'usr_a', 'coh_2');
    expect(() => champion('ch_a3', 'usr_a', 'coh_1')).toThrow(/UNIQUE constraint failed: champion\.user_id, champion\.cohort_id/);
  });

  it('allows one global row per user next to cohort rows and rejects a second global one', () => {
    champion('ch_b1', 'usr_b', 'coh_1');
    champion('ch_bg', 'usr_b', null);
    expect(() => champion('ch_bg2', 'usr_b', null)).toThrow(/UNIQUE constraint failed: champion\.user_id/);
    champion('ch_cg', 'usr_c', null); // another user's global row is fine
  });
});

describe('CHECKs and triggers', () => {
  it('rejects an unknown action_type naming the check', () => {
    expect(() => action({ action_type: 'clicked' })).toThrow(/CHECK constraint failed: user_action_action_type_check/);
  });

  it('rejects an unknown target_type and source_system naming the check', () => {
    expect(() => action({ target_type: 'video' })).toThrow(/user_action_target_type_check/);
    expect(() => action({ source_system: 'fax' })).toThrow(/user_action_source_system_check/);
  });

  it('rejects metadata that is not a JSON object (array, scalar, invalid JSON)', () => {
    for (const bad of ['[]', '"text"', '42', '{not json']) {
      expect(() => action({ metadata: bad })).toThrow(/CHECK constraint failed: user_action_metadata_object/);
    }
    expect(() => action({ metadata: '{"answer": 42}' })).not.toThrow();
  });

  it('rejects an unknown champion stage and stage-change stages', () => {
    expect(() => champion('ch_bad', 'usr_z', null, 'winner')).toThrow(/CHECK constraint failed: champion_stage_check/);
    const csc = app.sqlite.prepare(
      `INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by) VALUES (?, 'ch_a1', ?, ?, '2026-01-01T00:00:00Z', 'usr_admin')`,
    );
    expect(() => csc.run('csc_1', 'candidate', 'winner')).toThrow(/csc_to_stage_check/);
    expect(() => csc.run('csc_2', 'winner', 'selected')).toThrow(/csc_from_stage_check/);
    expect(() => csc.run('csc_3', null, 'candidate')).not.toThrow();
  });

  it('rejects a roles entry that is not a known role, naming it, on insert and on update', () => {
    expect(() => insertUser('usr_r1', '["student","wizard"]')).toThrow(/user\.roles: unknown role 'wizard'/);
    expect(() => insertUser('usr_r2', '["student", 7]')).toThrow(/user\.roles: unknown role 7/);
    insertUser('usr_r3', '["student","teacher"]');
    expect(() => app.sqlite.prepare(`UPDATE user SET roles = '["admin","root"]' WHERE id = 'usr_r3'`).run()).toThrow(
      /user\.roles: unknown role 'root'/,
    );
    expect(app.sqlite.prepare(`SELECT roles FROM user WHERE id = 'usr_r3'`).get()).toEqual({ roles: '["student","teacher"]' });
    expect(app.sqlite.prepare(`SELECT count(*) AS n FROM user WHERE id IN ('usr_r1', 'usr_r2')`).get()).toEqual({ n: 0 });
  });

  it('rejects a roles array written with \\u escapes (the per-role indexes need plain role strings)', () => {
    expect(() => insertUser('usr_esc', '["\\u0061dmin"]')).toThrow(/user\.roles: unknown role \(written with a \\ escape\)/);
  });

  it('rejects roles that are not a JSON array', () => {
    for (const bad of ['{"role":"student"}', '"student"', 'student']) {
      expect(() => insertUser(`usr_bad_${bad.length}`, bad)).toThrow(/CHECK constraint failed: user_roles_json/);
    }
    expect(() => insertUser('usr_empty_roles', '[]')).not.toThrow();
  });

  it('rejects an unknown cohort or enrollment status', () => {
    expect(() =>
      app.sqlite.prepare(`INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_x', 'X', 'paused', '2026-01-01T00:00:00Z')`).run(),
    ).toThrow(/cohort_status_check/);
    expect(() =>
      app.sqlite
        .prepare(`INSERT INTO enrollment (id, user_id, status, enrolled_at) VALUES ('enr_x', 'usr_1', 'paused', '2026-01-01T00:00:00Z')`)
        .run(),
    ).toThrow(/enrollment_status_check/);
  });

  it('allows only the one sync_state row', () => {
    expect(() => app.sqlite.prepare(`INSERT INTO sync_state (id, client_id) VALUES (2, 'x')`).run()).toThrow(/sync_state_singleton/);
  });
});
