import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../../shared/enums.js';
import { ipcContract, type CallInput, type MemberSummary } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { tempDatabase } from '../testing/tempDb.js';
import { exportPeopleCsv, searchPeople } from './people.js';
import { planLastActiveWalk } from './peopleOrders.js';

// The people list sorted by last activity and by joining date: every page tiles the whole
// filtered list in the oracle's order, with no member twice and none skipped, both when the
// filter leaves many members (an index walk) and few (a sort of the small set).

let t: ReturnType<typeof tempDatabase>;
let app: AppDb;

interface U {
  id: string;
  name: string;
  roles: string[];
  created: string;
  /** Newest action (occurred_at, id), or null for a member who never acted. */
  last: { at: string; id: string } | null;
}
const users: U[] = [];

let seed = 99;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor((seed / 2147483648) * n);
};

beforeAll(() => {
  t = tempDatabase();
  app = t.app;
  const insUser = app.sqlite.prepare('INSERT INTO user (id, email, name, origin, roles, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insAction = app.sqlite.prepare(
    `INSERT INTO user_action (id, user_id, action_type, metadata, occurred_at) VALUES (?, ?, 'viewed_module', '{}', ?)`,
  );
  const base = Date.parse('2026-01-01T00:00:00Z');
  app.sqlite.transaction(() => {
    for (let i = 0; i < 2600; i++) {
      const id = `usr_${String(i).padStart(4, '0')}`;
      // Coarse times so that many members tie, on joining and on their last action.
      const created = new Date(base + rnd(300) * 3600_000).toISOString();
      const roles = rnd(20) === 0 ? ['student', 'teacher'] : ['student'];
      const name = `${['Ana', 'Bo', 'Cy', 'Di'][rnd(4)]} ${['Lee', 'Ng', 'Ruiz'][rnd(3)]}`;
      insUser.run(id, `${id}@example.org`, name, rnd(2) ? 'uk' : 'fr', JSON.stringify(roles), created);
      const u: U = { id, name, roles, created, last: null };
      const n = rnd(10) === 0 ? 0 : 1 + rnd(6);
      for (let k = 0; k < n; k++) {
        const at = new Date(base + rnd(2000) * 600_000).toISOString();
        const actId = `act_${id}_${k}`;
        insAction.run(actId, id, at);
        if (!u.last || at > u.last.at || (at === u.last.at && actId > u.last.id)) u.last = { at, id: actId };
      }
      users.push(u);
    }
  })();
});
afterAll(() => t.dispose());

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function oracle(sort: 'last_active' | 'joined', f: { roles?: string[]; query?: string }): string[] {
  const picked = users.filter(
    (u) =>
      (!f.roles?.length || u.roles.some((r) => f.roles!.includes(r))) &&
      (!f.query ||
        u.name
          .toLowerCase()
          .split(' ')
          .some((w) => w.startsWith(f.query!.toLowerCase()))),
  );
  if (sort === 'joined') return picked.sort((a, b) => cmp(b.created, a.created) || cmp(b.id, a.id)).map((u) => u.id);
  return picked
    .sort((a, b) => {
      if (a.last && b.last) return cmp(b.last.at, a.last.at) || cmp(b.last.id, a.last.id);
      if (a.last || b.last) return a.last ? -1 : 1;
      return cmp(a.name, b.name) || cmp(a.id, b.id);
    })
    .map((u) => u.id);
}

function tile(input: CallInput<'people.search'>, limit: number): MemberSummary[] {
  const out: MemberSummary[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = searchPeople(app, ipcContract['people.search'].input.parse({ ...input, limit, after }));
    out.push(...page.items);
    if (!page.nextCursor) return out;
    after = page.nextCursor;
  }
  throw new Error('did not end');
}

describe('people sorted by last activity and by joining date', () => {
  for (const sort of ['last_active', 'joined'] as const) {
    const cases: [string, { roles?: Role[]; query?: string }][] = [
      ['everyone (index walk)', {}],
      ['a rare role (small set, sorted)', { roles: ['teacher'] }],
      ['a search (small set, sorted)', { query: 'bo' }],
    ];
    for (const [what, f] of cases) {
      it(`${sort}, ${what}: pages tile the list in order, each member once`, () => {
        const got = tile({ query: '', ...f, sort }, 97);
        expect(got.map((m) => m.id)).toEqual(oracle(sort, f));
      });
    }
  }

  it('gives each member their newest action as last activity, and null to a member who never acted', () => {
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const m of tile({ query: '', sort: 'last_active' }, 500)) expect(m.lastActiveAt).toBe(byId.get(m.id)!.last?.at ?? null);
    const byName = searchPeople(app, ipcContract['people.search'].input.parse({ query: '', limit: 50 }));
    for (const m of byName.items) expect(m.lastActiveAt).toBe(byId.get(m.id)!.last?.at ?? null);
  });

  it('walks the action log newest first by its time index, without sorting it', () => {
    const filter = ipcContract['people.count'].input.parse({});
    const { sql, params } = planLastActiveWalk(filter, null, 101);
    const plan = (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
    expect(plan.join('\n')).toMatch(/SCAN a USING (COVERING )?INDEX user_action_time_idx/);
    expect(plan.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('refuses a cursor from another order, naming the field', () => {
    const byName = searchPeople(app, ipcContract['people.search'].input.parse({ query: '', limit: 10 }));
    expect(() =>
      searchPeople(app, ipcContract['people.search'].input.parse({ query: '', sort: 'joined', limit: 10, after: byName.nextCursor })),
    ).toThrow(/after/);
  });

  it('exports in the chosen order', () => {
    const out = exportPeopleCsv(app, ipcContract['people.exportCsv'].input.parse({ roles: ['teacher'], sort: 'last_active' }));
    const ids = out.csv
      .split('\r\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(',')[0]);
    expect(ids).toEqual(oracle('last_active', { roles: ['teacher'] }));
  });
});
