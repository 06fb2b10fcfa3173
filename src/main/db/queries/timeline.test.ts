import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TYPES, SOURCE_SYSTEMS, TARGET_TYPES } from '../../../shared/enums.js';
import { ipcContract, type CallInput } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { tempDatabase } from '../testing/tempDb.js';
import { dailyCounts, planTimelinePage, timelinePage } from './timeline.js';

let t: ReturnType<typeof tempDatabase>;
let app: AppDb;

interface A {
  id: string;
  user_id: string;
  action_type: string;
  target_type: string | null;
  source_system: string | null;
  occurred_at: string;
}
const actions: A[] = [];

let seed = 1234;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
};

beforeAll(() => {
  t = tempDatabase();
  app = t.app;
  const insUser = app.sqlite.prepare(`INSERT INTO user (id, email, name, roles, created_at) VALUES (?, ?, ?, '[]', '2025-01-01T00:00:00Z')`);
  for (let u = 0; u < 12; u++) insUser.run(`usr_${u}`, `u${u}@example.org`, `Member ${u}`);
  const ins = app.sqlite.prepare(
    `INSERT INTO user_action (id, user_id, action_type, target_type, target_id, metadata, source_system, source_event_id, occurred_at)
     VALUES (@id, @user_id, @action_type, @target_type, 't', @metadata, @source_system, NULL, @occurred_at)`,
  );
  const base = Date.parse('2026-03-01T00:00:00Z');
  app.sqlite.transaction(() => {
    for (let i = 0; i < 3000; i++) {
      // Coarse timestamps (whole 20-minute steps) so that many actions tie on occurred_at.
      const at = new Date(base + rnd(1500) * 20 * 60_000).toISOString();
      const a: A = {
        id: `act_${String(rnd(1_000_000)).padStart(6, '0')}_${i}`,
        user_id: `usr_${rnd(13)}`, // usr_12 has no user row: its name is null
        action_type: ACTION_TYPES[rnd(ACTION_TYPES.length)]!,
        target_type: rnd(10) === 0 ? null : TARGET_TYPES[rnd(TARGET_TYPES.length)]!,
        // manual is rare, as in real data
        source_system: rnd(10) === 0 ? null : rnd(40) === 0 ? 'manual' : SOURCE_SYSTEMS.filter((s) => s !== 'manual')[rnd(5)]!,
        occurred_at: at,
      };
      ins.run({ ...a, metadata: JSON.stringify({ n: i }) });
      actions.push(a);
    }
  })();
});
afterAll(() => t.dispose());

const newestFirst = (a: A, b: A) => (a.occurred_at < b.occurred_at ? 1 : a.occurred_at > b.occurred_at ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

type Filter = CallInput<'timeline.dailyCounts'>;
function oracle(f: Filter): A[] {
  return (
    actions
      .filter((a) => !f.userId || a.user_id === f.userId)
      .filter((a) => !f.actionTypes?.length || f.actionTypes.includes(a.action_type as never))
      .filter((a) => !f.targetTypes?.length || (a.target_type !== null && f.targetTypes.includes(a.target_type as never)))
      .filter((a) => !f.sourceSystems?.length || (a.source_system !== null && f.sourceSystems.includes(a.source_system as never)))
      // By value, not text: bounds may be typed without milliseconds, stored rows always have them.
      .filter((a) => !f.from || Date.parse(a.occurred_at) >= Date.parse(f.from))
      .filter((a) => !f.to || Date.parse(a.occurred_at) < Date.parse(f.to))
      .sort(newestFirst)
  );
}

function allPages(f: Filter, limit: number): string[] {
  const ids: string[] = [];
  let after: { occurredAt: string; id: string } | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = timelinePage(app, ipcContract['timeline.page'].input.parse({ ...f, limit, after }));
    ids.push(...page.items.map((i) => i.id));
    if (page.nextCursor === null) return ids;
    expect(page.items).toHaveLength(limit);
    after = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

describe('timeline pages', () => {
  it('tile the whole log newest first, with no duplicate and no gap, across ties on occurred_at', () => {
    const ties = new Set(actions.map((a) => a.occurred_at)).size;
    expect(ties).toBeLessThan(actions.length); // the data really has ties
    for (const limit of [1, 7, 50, 500]) {
      const got = allPages({}, limit);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(oracle({}).map((a) => a.id));
    }
  });

  it('combine every filter correctly (compared with a plain filter of all rows)', () => {
    const filters: Filter[] = [
      { userId: 'usr_3' },
      { userId: 'usr_12' },
      { actionTypes: ['posted_reply'] },
      { actionTypes: ['enrolled', 'completed_course', 'unenrolled'] },
      { targetTypes: ['forum', 'post'] },
      { sourceSystems: ['manual'] },
      { sourceSystems: ['manual'], actionTypes: ['enrolled', 'viewed_module'] },
      { sourceSystems: ['webhook', 'app'], targetTypes: ['module'], actionTypes: ['viewed_module', 'started_module'] },
      { from: '2026-03-10T00:00:00Z', to: '2026-03-12T07:20:00Z' },
      { from: '2026-03-10T00:00:00Z', actionTypes: ['answered_question'], sourceSystems: ['segment'] },
      { to: '2026-03-05T00:00:00Z', targetTypes: ['question'] },
      {
        userId: 'usr_5',
        actionTypes: ['viewed_module', 'posted_thread'],
        sourceSystems: ['app', 'stripe'],
        from: '2026-03-03T00:00:00Z',
        to: '2026-03-20T00:00:00Z',
      },
      { userId: 'usr_nobody' },
    ];
    // and some random combinations
    for (let i = 0; i < 25; i++) {
      const pick = <T>(xs: readonly T[]) => xs.filter(() => rnd(4) === 0);
      const from = rnd(2) ? new Date(Date.parse('2026-03-01T00:00:00Z') + rnd(20) * 86_400_000).toISOString() : null;
      filters.push({
        userId: rnd(3) === 0 ? `usr_${rnd(13)}` : null,
        actionTypes: pick(ACTION_TYPES),
        targetTypes: pick(TARGET_TYPES),
        sourceSystems: pick(SOURCE_SYSTEMS),
        from,
        to: from && rnd(2) ? new Date(Date.parse(from) + rnd(10) * 86_400_000).toISOString() : null,
      });
    }
    for (const f of filters) {
      const expected = oracle(f).map((a) => a.id);
      expect(allPages(f, 9), JSON.stringify(f)).toEqual(expected);
      const counted = dailyCounts(app, ipcContract['timeline.dailyCounts'].input.parse(f)).days;
      expect(
        counted.reduce((n, d) => n + d.count, 0),
        JSON.stringify(f),
      ).toBe(expected.length);
    }
  });

  it('carries the member name (null for an unknown member), parsed metadata and the pending flag', () => {
    const mine = oracle({ userId: 'usr_4' })[0]!;
    const orphan = oracle({ userId: 'usr_12' })[0]!;
    app.sqlite
      .prepare(`INSERT INTO outbox (id, name, args, created_at) VALUES (1, 'action.record', ?, '2026-03-30T00:00:00Z')`)
      .run(JSON.stringify({ id: mine.id, userId: 'usr_4' }));
    app.sqlite
      .prepare(`INSERT INTO outbox (id, name, args, created_at) VALUES (2, 'champion.remove', ?, '2026-03-30T00:00:00Z')`)
      .run(JSON.stringify({ id: orphan.id }));
    const items = timelinePage(app, ipcContract['timeline.page'].input.parse({ limit: 500, userId: 'usr_4' })).items;
    const first = items[0]!;
    expect(first.id).toBe(mine.id);
    expect(first.pending).toBe(true);
    expect(first.userName).toBe('Member 4');
    expect(first.metadata).toEqual({ n: expect.any(Number) });
    expect(items.slice(1).every((i) => !i.pending)).toBe(true);
    const o = timelinePage(app, ipcContract['timeline.page'].input.parse({ limit: 1, userId: 'usr_12' })).items[0]!;
    expect(o.id).toBe(orphan.id);
    expect(o.userName).toBeNull();
    expect(o.pending).toBe(false); // only action.record mutations make an action pending
    const parsed = ipcContract['timeline.page'].output.safeParse({ items, nextCursor: null });
    expect(parsed.success).toBe(true);
  });
});

describe('timeline query plans', () => {
  // The speed at 1,000,000 actions comes from walking an index in (occurred_at, id) order and
  // stopping after a page. A plan that scans the table, or sorts what it read from
  // user_action, reads the whole log; this pins the plans without timing anything.
  it('walk an index newest first and never sort or scan the log, whatever the filter', () => {
    const filters: CallInput<'timeline.page'>[] = [
      {},
      { after: { occurredAt: '2026-03-10T00:00:00Z', id: 'act_5' } },
      { userId: 'usr_1', actionTypes: ['enrolled'], from: '2026-03-02T00:00:00Z', after: { occurredAt: '2026-03-10T00:00:00Z', id: 'act_5' } },
      { actionTypes: ['posted_reply'] },
      { actionTypes: ['posted_reply', 'enrolled', 'unenrolled'] },
      { sourceSystems: ['manual'], actionTypes: ['enrolled', 'viewed_module'], targetTypes: ['module'] },
      { from: '2026-03-05T00:00:00Z', to: '2026-03-08T00:00:00Z', targetTypes: ['post'] },
      { from: '2026-03-05T00:00:00Z', to: '2026-03-08T00:00:00Z' },
    ];
    for (const f of filters) {
      const { sql, params } = planTimelinePage(app, ipcContract['timeline.page'].input.parse(f));
      const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
      plan.forEach((line, i) => {
        if (!/user_action/.test(line)) return;
        expect(line, `${JSON.stringify(f)}\n${plan.join('\n')}`).toMatch(
          /^SEARCH user_action USING (COVERING )?INDEX user_action_(\w+_)?time_idx|^SCAN user_action USING (COVERING )?INDEX user_action_time_idx/,
        );
        expect(plan[i + 1] ?? '', `${JSON.stringify(f)}\n${plan.join('\n')}`).not.toMatch(/TEMP B-TREE/);
      });
      expect(plan.some((l) => /user_action/.test(l))).toBe(true);
      const byValue = !!(f.actionTypes?.length || f.targetTypes?.length || f.sourceSystems?.length);
      if (f.userId) expect(plan.filter((l) => /user_action/.test(l)).every((l) => /user_action_user_time_idx/.test(l))).toBe(true);
      else if (byValue)
        expect(
          plan.filter((l) => /user_action/.test(l)).every((l) => /^SEARCH user_action USING INDEX user_action_(type|source|target)_time_idx/.test(l)),
        ).toBe(true);
    }
  });
});

describe('timeline per-day counts', () => {
  it('match a plain count per UTC day, ascending, for the whole log and filtered', () => {
    for (const f of [
      {},
      { userId: 'usr_7' },
      { sourceSystems: ['manual'] },
      { actionTypes: ['enrolled', 'unenrolled'], targetTypes: ['course'] },
      { from: '2026-03-04T10:00:00Z', to: '2026-03-09T13:00:00Z' },
    ] as Filter[]) {
      const expected = new Map<string, number>();
      for (const a of oracle(f)) expected.set(a.occurred_at.slice(0, 10), (expected.get(a.occurred_at.slice(0, 10)) ?? 0) + 1);
      const want = [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, count]) => ({ day, count }));
      expect(dailyCounts(app, ipcContract['timeline.dailyCounts'].input.parse(f)).days, JSON.stringify(f)).toEqual(want);
    }
  });

  it('is empty when nothing matches', () => {
    expect(dailyCounts(app, ipcContract['timeline.dailyCounts'].input.parse({ userId: 'usr_nobody' })).days).toEqual([]);
  });
});
