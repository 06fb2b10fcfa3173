import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../../shared/enums.js';
import { ipcContract, type CallInput, type ParsedInput } from '../../../shared/ipc.js';
import { QueryInputError } from './queryInputError.js';
import type { AppDb } from '../open.js';
import { tempDatabase } from '../testing/tempDb.js';
import { countPeople, exportPeopleCsv, listOrigins, planBucket, searchPeople } from './people.js';
import { rankBuckets } from './searchText.js';

let t: ReturnType<typeof tempDatabase>;
let app: AppDb;

interface U {
  id: string;
  name: string;
  email: string;
  origin: string | null;
  roles: Role[];
}
const users: U[] = [];

const FIRST = ['Maya', 'José', 'Jose', 'Zoë', 'Ana', 'Anaïs', 'Mateo', 'Chloé', 'Jürgen', 'Søren', 'Liam', 'Noah', 'Émile', 'Ola', 'María'];
const LAST = ['López', 'Lopez', 'Smith', 'Müller', 'García', 'Ng', "O'Brien", 'Martin', 'Dubois', 'Nakamura', 'Øster'];
const ORIGINS = ['uk', 'us', 'de', 'fr', null];

// Deterministic pseudo-random so a failure can be replayed.
let seed = 42;
const rnd = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};

function insert(u: U) {
  app.sqlite
    .prepare(`INSERT INTO user (id, email, name, origin, roles, created_at) VALUES (?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')`)
    .run(u.id, u.email, u.name, u.origin, JSON.stringify(u.roles));
  users.push(u);
}

beforeAll(() => {
  t = tempDatabase();
  app = t.app;
  app.sqlite.transaction(() => {
    insert({ id: 'usr_42_maya', name: 'Maya López', email: 'maya.lopez@example.org', origin: 'uk', roles: ['student', 'champion'] });
    insert({ id: 'usr_43_jose', name: 'José Ramírez', email: 'jr@example.org', origin: 'es', roles: ['teacher'] });
    insert({ id: 'usr_44_plain', name: 'Jose Plain', email: 'plain@example.org', origin: null, roles: ['admin'] });
    insert({ id: 'usr_45_formula', name: '=HYPERLINK("http://x","y")', email: '+evil@example.org', origin: 'uk', roles: [] });
    for (let i = 0; i < 3000; i++) {
      const f = FIRST[rnd(FIRST.length)]!;
      const l = LAST[rnd(LAST.length)]!;
      const roles = ROLES.filter(() => rnd(4) === 0);
      insert({
        id: `usr_g${String(i).padStart(4, '0')}`,
        name: `${f} ${l}`,
        email: `${f.toLowerCase()}.${l.toLowerCase().replace(/[^a-zà-ÿø]/g, '')}${rnd(50)}@example.org`,
        origin: ORIGINS[rnd(ORIGINS.length)]!,
        roles,
      });
    }
  })();
});
afterAll(() => t.dispose());

function parse(c: 'people.search', input: CallInput<'people.search'>): ParsedInput<'people.search'>;
function parse(c: 'people.count' | 'people.exportCsv', input: CallInput<'people.count'>): ParsedInput<'people.count'>;
function parse(c: 'people.search' | 'people.count' | 'people.exportCsv', input: CallInput<'people.search'>) {
  return ipcContract[c].input.parse(input);
}

// An oracle that knows nothing of FTS5: fold accents and case, split into words, and ask
// that every typed word be a prefix of some word of the name or email.
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const words = (s: string) =>
  fold(s)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
function expected(query: string, roles: Role[] = [], origins: string[] = []): { u: U; bucket: number }[] {
  const q = words(query);
  return users
    .filter((u) => roles.length === 0 || u.roles.some((r) => roles.includes(r)))
    .filter((u) => origins.length === 0 || (u.origin !== null && origins.includes(u.origin)))
    .map((u) => {
      const nameWords = words(u.name);
      const all = [...nameWords, ...words(u.email)];
      const inName = q.every((w) => nameWords.some((x) => x.startsWith(w)));
      const inAll = q.every((w) => all.some((x) => x.startsWith(w)));
      return { u, bucket: q.length === 0 || inName ? 0 : inAll ? 1 : -1 };
    })
    .filter((r) => r.bucket >= 0)
    .sort((a, b) => a.bucket - b.bucket || (a.u.name < b.u.name ? -1 : a.u.name > b.u.name ? 1 : a.u.id < b.u.id ? -1 : a.u.id > b.u.id ? 1 : 0));
}

function allPages(query: string, limit: number, roles: Role[] = [], origins: string[] = []): string[] {
  const ids: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = searchPeople(app, parse('people.search', { query, roles, origins, limit, after }));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((i) => i.id));
    if (page.nextCursor === null) return ids;
    expect(page.items.length).toBe(limit);
    after = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const ids = (query: string) => searchPeople(app, parse('people.search', { query, limit: 500 })).items.map((i) => i.id);

describe('people search', () => {
  it('finds by name prefix', () => {
    expect(ids('may')).toContain('usr_42_maya');
    expect(ids('ramir')).toEqual(['usr_43_jose']);
  });

  it('folds accents both ways: "jose" finds José and "josé" finds Jose', () => {
    expect(ids('jose')).toEqual(expect.arrayContaining(['usr_43_jose', 'usr_44_plain']));
    expect(ids('josé')).toEqual(expect.arrayContaining(['usr_43_jose', 'usr_44_plain']));
    expect(ids('ramirez')).toEqual(['usr_43_jose']);
  });

  it('folds case: "MAYA" finds Maya', () => {
    expect(ids('MAYA LÓPEZ')).toContain('usr_42_maya');
  });

  it('finds email fragments such as "lopez@exa"', () => {
    expect(ids('lopez@exa')).toContain('usr_42_maya');
    expect(ids('maya.lopez@example.org')).toContain('usr_42_maya');
    expect(ids('jr@example')).toEqual(['usr_43_jose']);
  });

  it('lists name matches before email-only matches, each by name then id', () => {
    const got = allPages('plain', 100);
    expect(got).toEqual(expected('plain').map((r) => r.u.id));
    expect(got[0]).toBe('usr_44_plain');
  });

  it('filters by role (any of the chosen roles) and by origin, alone and together', () => {
    for (const [roles, origins] of [
      [['superadmin'], []],
      [['admin', 'teacher'], []],
      [[], ['uk', 'de']],
      [['champion'], ['fr']],
    ] as [Role[], string[]][]) {
      expect(allPages('', 200, roles, origins)).toEqual(expected('', roles, origins).map((r) => r.u.id));
      expect(allPages('m', 200, roles, origins)).toEqual(expected('m', roles, origins).map((r) => r.u.id));
      expect(countPeople(app, parse('people.count', { query: 'm', roles, origins })).count).toBe(expected('m', roles, origins).length);
    }
  });

  it('pages through thousands of members with small pages, with no duplicate and no gap', () => {
    for (const [query, limit] of [
      ['', 37],
      ['m', 13],
      ['a', 50],
      ['lopez', 7],
      ['jo', 11],
      ['o', 64],
    ] as const) {
      const got = allPages(query, limit);
      expect(new Set(got).size).toBe(got.length);
      expect(got).toEqual(expected(query).map((r) => r.u.id));
      expect(countPeople(app, parse('people.count', { query })).count).toBe(got.length);
    }
  });

  it('an empty query lists everyone by name, then id', () => {
    expect(allPages('', 500)).toEqual(
      [...users].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1)).map((u) => u.id),
    );
  });

  it('treats hostile input as plain words and never throws', () => {
    for (const q of [
      '"',
      '""',
      '*',
      'a*',
      '"maya',
      'NEAR(maya lopez)',
      'maya OR lopez',
      'NOT maya',
      '(',
      ')',
      '-maya',
      'name:maya',
      '{name}: x',
      '^maya',
      "'; DROP TABLE user; --",
      '\u0000',
      'AND',
    ]) {
      expect(() => searchPeople(app, parse('people.search', { query: q }))).not.toThrow();
      expect(() => countPeople(app, parse('people.count', { query: q }))).not.toThrow();
    }
    expect(ids('NEAR(maya lopez)')).toEqual(ids('near maya lopez'));
    expect(ids('"maya')).toEqual(ids('maya'));
  });

  it('rejects a cursor that is not from this search, naming the field', () => {
    const first = searchPeople(app, parse('people.search', { query: '', limit: 5 }));
    for (const bad of ['garbage', Buffer.from('[9,"a","b"]').toString('base64url')]) {
      try {
        searchPeople(app, parse('people.search', { query: '', limit: 5, after: bad }));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(QueryInputError);
        expect((e as QueryInputError).field).toBe('after');
      }
    }
    // an empty-query cursor has one bucket; a search has two, so a bucket-1 cursor is refused there
    expect(() => searchPeople(app, parse('people.search', { query: '', after: Buffer.from('[1,"a","b"]').toString('base64url') }))).toThrow(
      QueryInputError,
    );
    expect(first.nextCursor).not.toBeNull();
  });

  it('keeps the search index in step with inserts, updates, deletes and replaces', () => {
    insert({ id: 'usr_tmp', name: 'Quentin Zebulon', email: 'qz@example.org', origin: null, roles: [] });
    expect(ids('zebul')).toEqual(['usr_tmp']);
    app.sqlite.prepare(`UPDATE user SET name = 'Quentin Xylophone' WHERE id = 'usr_tmp'`).run();
    expect(ids('zebul')).toEqual([]);
    expect(ids('xylo')).toEqual(['usr_tmp']);
    app.sqlite.prepare(`UPDATE user SET email = 'new.address@example.net' WHERE id = 'usr_tmp'`).run();
    expect(ids('qz')).toEqual([]);
    expect(ids('new.addr')).toEqual(['usr_tmp']);
    app.sqlite
      .prepare(
        `INSERT OR REPLACE INTO user (id, email, name, roles, created_at) VALUES ('usr_tmp', 'r@example.org', 'Rita Replaced', '[]', '2026-01-01T00:00:00Z')`,
      )
      .run();
    expect(ids('xylo')).toEqual([]);
    expect(ids('rita')).toEqual(['usr_tmp']);
    app.sqlite
      .prepare(
        `INSERT INTO user (id, email, name, roles, created_at) VALUES ('usr_tmp', 'u@example.org', 'Ursula Upsert', '[]', '2026-01-01T00:00:00Z')
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email`,
      )
      .run();
    expect(ids('rita')).toEqual([]);
    expect(ids('ursula')).toEqual(['usr_tmp']);
    app.sqlite.prepare(`DELETE FROM user WHERE id = 'usr_tmp'`).run();
    expect(ids('ursula')).toEqual([]);
    users.splice(
      users.findIndex((u) => u.id === 'usr_tmp'),
      1,
    );
    // the index agrees with its content table
    expect(() => app.sqlite.prepare(`INSERT INTO user_fts (user_fts, rank) VALUES ('integrity-check', 1)`).run()).not.toThrow();
  });
});

describe('people search plans', () => {
  const planOf = (query: string, bucket: number, roles: Role[] = []) => {
    const match = query === '' ? null : rankBuckets(query)[bucket]!;
    const { sql, params } = planBucket(app, parse('people.count', { query, roles }), match, { name: 'M', id: '' }, 101);
    return (app.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
  };

  it('walk a (name, id) index without sorting when many members match, one walk per chosen role', () => {
    for (const [query, bucket] of [
      ['', 0],
      ['example', 1],
    ] as const) {
      const plain = planOf(query, bucket);
      expect(plain.join('\n')).toMatch(/(SCAN|SEARCH) u USING (COVERING )?INDEX user_name_idx/);
      expect(plain.join('\n')).not.toMatch(/TEMP B-TREE/);
      const two = planOf(query, bucket, ['admin', 'teacher']).join('\n');
      expect(two).toMatch(/user_role_admin_idx/);
      expect(two).toMatch(/user_role_teacher_idx/);
    }
  });

  it('read a small match set from the index first, never re-running the MATCH per member', () => {
    const plan = planOf('nakamura', 0, ['student']);
    expect(plan[0]).toMatch(/^SCAN f VIRTUAL TABLE/);
    expect(plan.join('\n')).toMatch(/SEARCH u USING INTEGER PRIMARY KEY/);
  });
});

describe('origins and CSV export', () => {
  it('lists each known origin once, sorted', () => {
    expect(listOrigins(app).origins).toEqual(['de', 'es', 'fr', 'uk', 'us']);
  });

  it('exports the filtered list in list order as RFC 4180 CSV, defusing formulas', () => {
    const out = exportPeopleCsv(app, parse('people.exportCsv', { query: 'maya lopez', roles: ['champion'] }));
    const lines = out.csv.split('\r\n');
    expect(lines[0]).toBe('id,name,email,origin,roles,joined,last_active,champion_stage,enrollments');
    expect(lines[lines.length - 1]).toBe('');
    expect(out.rows).toBe(lines.length - 2);
    expect(out.rows).toBe(expected('maya lopez', ['champion']).length);
    expect(lines).toContain('usr_42_maya,Maya López,maya.lopez@example.org,uk,student;champion,2026-01-01T00:00:00Z,,,');

    const evil = exportPeopleCsv(app, parse('people.exportCsv', { query: 'hyperlink' }));
    expect(evil.rows).toBe(1);
    expect(evil.csv).toContain(`usr_45_formula,"'=HYPERLINK(""http://x"",""y"")",'+evil@example.org,uk,,2026-01-01T00:00:00Z,,,\r\n`);

    const all = exportPeopleCsv(app, parse('people.exportCsv', {}));
    expect(all.rows).toBe(users.length);
    expect(all.csv).toContain(`"O'Brien`.slice(1)); // apostrophes need no quoting
  });
});
