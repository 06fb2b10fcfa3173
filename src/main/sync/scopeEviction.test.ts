import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { leftScopeNotice } from './scopeEviction.js';
import { champion, cohort, enrollment, page, upserts, user } from './testing/fixtures.js';

// A `leave` change forgets the member everywhere on the laptop (issue 13), through either
// applier (the pull worker uses the same PullPageApplier): rows, search, derived figures,
// remembered bases, conflicts about them (cleared, with a notice); other members are untouched.

let t: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  t = tempDatabase();
});
afterEach(() => t.dispose());

const n = (q: string, ...args: unknown[]) => (t.app.sqlite.prepare(q).get(...args) as { n: number }).n;

describe('a member leaving the scope', () => {
  it('leaves no row, search entry, derived figure, base or open conflict of theirs; the others stay', () => {
    const applier = new PullPageApplier(t.app.sqlite);
    const action = (id: string, userId: string, enrollmentId: string) => ({
      table: 'user_action' as const,
      op: 'upsert' as const,
      row: {
        id,
        user_id: userId,
        enrollment_id: enrollmentId,
        action_type: 'completed_module' as const,
        target_type: 'module' as const,
        target_id: 'mod_1',
        metadata: {},
        source_system: 'app' as const,
        source_event_id: null,
        idempotency_key: null,
        occurred_at: '2026-03-01T10:00:00.000Z',
      },
    });
    applier.apply(
      page([
        ...upserts('cohort', [cohort('coh_a')]),
        ...upserts('user', [user('usr_gone'), user('usr_stays')]),
        ...upserts('enrollment', [enrollment('enr_gone', 'usr_gone', 'coh_a'), enrollment('enr_stays', 'usr_stays', 'coh_a')]),
        action('act_gone', 'usr_gone', 'enr_gone'),
        action('act_stays', 'usr_stays', 'enr_stays'),
        ...upserts('champion', [champion('ch_gone', 'usr_gone', 'candidate'), champion('ch_stays', 'usr_stays', 'candidate')]),
        {
          table: 'champion_stage_change',
          op: 'upsert',
          row: {
            id: 'csc_gone',
            champion_id: 'ch_gone',
            from_stage: null,
            to_stage: 'candidate',
            changed_at: '2026-03-01T10:00:00.000Z',
            changed_by: 'usr_coord',
            reason: null,
          },
        },
      ]),
    );
    const db = t.app.sqlite;
    db.prepare("INSERT INTO server_base (table_name, row_id, row) VALUES ('champion', 'ch_gone', NULL), ('champion', 'ch_stays', NULL)").run();
    const conflict = db.prepare(
      "INSERT INTO conflict (mutation_id, name, args, code, message, current, entity_table, entity_id, created_at) VALUES (?, 'champion.setNotes', ?, 'stale', 'm', ?, 'champion', ?, '2026-03-01T00:00:00Z')",
    );
    conflict.run(1, JSON.stringify({ id: 'ch_gone', notes: 'my words' }), JSON.stringify({ id: 'ch_gone', notes: 'theirs' }), 'ch_gone');
    conflict.run(2, JSON.stringify({ id: 'ch_stays', notes: 'other words' }), null, 'ch_stays');
    expect(n('SELECT count(*) n FROM user_fts WHERE user_fts MATCH \'"usr_gone"\'')).toBe(1);
    expect(n("SELECT count(*) n FROM insight_enrollment WHERE user_id = 'usr_gone'")).toBe(1);

    applier.apply(page([{ op: 'leave', userId: 'usr_gone' }]));

    for (const [table, col] of [
      ['user', 'id'],
      ['enrollment', 'user_id'],
      ['user_action', 'user_id'],
      ['champion', 'user_id'],
    ] as const)
      expect(n(`SELECT count(*) n FROM "${table}" WHERE ${col} = 'usr_gone'`), table).toBe(0);
    expect(n("SELECT count(*) n FROM champion_stage_change WHERE champion_id = 'ch_gone'")).toBe(0);
    expect(n('SELECT count(*) n FROM user_fts WHERE user_fts MATCH \'"usr_gone"\'')).toBe(0);
    expect(n("SELECT count(*) n FROM insight_enrollment WHERE user_id = 'usr_gone'")).toBe(0);
    expect(n("SELECT count(*) n FROM server_base WHERE table_name = 'champion' AND row_id = 'ch_gone'")).toBe(0);
    // Their conflict is cleared (no trace of their row or of the text about them), and a notice says a member left.
    expect(n('SELECT count(*) n FROM conflict WHERE mutation_id = 1')).toBe(0);
    expect(leftScopeNotice(db, 'usr_gone')).toMatchObject({ userId: 'usr_gone', closedConflicts: 1 });
    expect((db.prepare('SELECT kind FROM notice').all() as { kind: string }[]).map((r) => r.kind)).toEqual(['member_out_of_scope']);
    // The other member is untouched.
    expect(n("SELECT count(*) n FROM user_action WHERE user_id = 'usr_stays'")).toBe(1);
    expect(n('SELECT count(*) n FROM user_fts WHERE user_fts MATCH \'"usr_stays"\'')).toBe(1);
    expect(n("SELECT count(*) n FROM server_base WHERE table_name = 'champion' AND row_id = 'ch_stays'")).toBe(1);
    expect((db.prepare('SELECT resolved_at FROM conflict WHERE mutation_id = 2').get() as { resolved_at: string | null }).resolved_at).toBeNull();

    // Back in scope: the notice goes.
    applier.apply(page([{ op: 'enter', userId: 'usr_gone' }, ...upserts('user', [user('usr_gone')])]));
    expect(leftScopeNotice(db, 'usr_gone')).toBeNull();
  });
});
