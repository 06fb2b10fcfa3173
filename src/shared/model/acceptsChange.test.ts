import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Change } from '../protocol.js';
import { acceptsChange } from './acceptsChange.js';
import { columnDecls, SYNC_TABLES, type ColumnDecl, type SyncTableName } from './tables.js';

// acceptsChange is the pull decoder's fast path: it may only say yes where the zod schema says
// yes and returns the change as it came. These generate changes column by column from the
// declaration, each value valid or hostile (the entrance property test's kinds: NUL, lone
// surrogates, emoji at the limits, impossible dates, deep and huge JSON), plus changes with keys
// missing, extra or of the wrong type, and hold the fast path to zod's verdict.

const RUNS = Number(process.env.AFH_PROPERTY_RUNS ?? 15) * 100;

const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('a\u0000b', '\uD800', 'x\uDC00y', '😀', '😀😀', '😀'.repeat(64), '😀'.repeat(65), '\u0001\u007f', '', 'ab', 'abc'),
  fc.integer({ min: 1, max: 3000 }).map((n) => 'ü'.repeat(n)),
);
const validTime = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const hostileTime = fc.oneof(
  validTime,
  validTime.map((t) => t.replace('.000Z', 'Z')),
  validTime.map((t) => t.replace('Z', '123456Z')),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2028-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-04-20T24:00:00Z',
    '2026-04-20T10:00Z',
    '2026-04-20T10:00:00+00:00',
    '2026-04-20 10:00:00Z',
    '1900-01-01T00:00:00Z',
    // Either side of the storable range's bounds, with and without fractions of any length.
    '1999-12-31T23:59:59Z',
    '1999-12-31T23:59:59.999999Z',
    '2000-01-01T00:00:00Z',
    '2000-01-01T00:00:00.000Z',
    '2000-01-01T00:00:00.0001Z',
    '2099-12-31T23:59:59.999Z',
    '2099-12-31T23:59:59.9999999Z',
    '2100-01-01T00:00:00Z',
    '2100-01-01T00:00:00.000Z',
    '2100-01-01T00:00:00.001Z',
    'yesterday',
  ),
);
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};
const hostileJson = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 }), fc.constant(null)), { maxKeys: 5 }),
  fc.integer({ min: 1, max: 80 }).map((d) => ({ deep: nested(d) })),
  fc.integer({ min: 1, max: 40 }).map((n) => ({ big: 'x'.repeat(n * 1024) })),
  hostileText.map((t) => ({ t })),
  fc.constantFrom({ [String.fromCharCode(0xd800)]: 1 }, { n: Number.NaN }, [], null, 'text', Object.create({ inherited: 1 }) as object),
);
const anyId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/), fc.constantFrom('', 'a b', 'x'.repeat(128), 'x'.repeat(129), 'é', 'usr_1\n'));
const wrongType = fc.constantFrom<unknown>(undefined, 0, 1.5, true, {}, [], 'x');

/** A value the column's schema accepts. */
function validValue(c: ColumnDecl): fc.Arbitrary<unknown> {
  const base = ((): fc.Arbitrary<unknown> => {
    switch (c.kind) {
      case 'id':
        return fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/);
      case 'text':
        return fc.string({ minLength: Math.max(c.min, 0), maxLength: Math.min(c.max, 30) }).filter((v) => [...v].length >= c.min);
      case 'enum':
        return fc.constantFrom(...c.values);
      case 'enumArray':
        return fc.uniqueArray(fc.constantFrom(...c.values));
      case 'jsonObject':
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 }), fc.constant(null)), {
          maxKeys: 5,
        });
      case 'timestamp':
        return validTime;
      case 'version':
        return fc.integer({ min: 1, max: 1e9 });
    }
  })();
  return c.nullable ? fc.oneof(base, fc.constant(null)) : base;
}

/** A value the column's schema may or may not accept: hostile text, impossible dates, wrong types. */
function hostileValue(c: ColumnDecl): fc.Arbitrary<unknown> {
  const base = ((): fc.Arbitrary<unknown> => {
    switch (c.kind) {
      case 'id':
        return anyId;
      case 'text':
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom('a\u0000b', '\uD800', 'x\uDC00y', '😀', '😀😀', '\u0001\u007f', '', 'ab', 'abc') },
          { weight: 2, arbitrary: hostileText },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'x'.repeat(c.max),
              'x'.repeat(c.max + 1),
              '😀'.repeat(Math.ceil(c.max / 2)),
              '😀'.repeat(Math.floor(c.max / 2)),
            ),
          },
        );
      case 'enum':
        return fc.constantFrom('', 'UPPER', c.values[0].toUpperCase(), null);
      case 'enumArray':
        return fc.oneof(fc.constant(['nobody']), fc.constant('[]'), fc.constant([null]));
      case 'jsonObject':
        return hostileJson;
      case 'timestamp':
        return hostileTime;
      case 'version':
        return fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN, '1', null);
    }
  })();
  return fc.oneof({ weight: 6, arbitrary: base }, { weight: 1, arbitrary: wrongType });
}

/** A row of valid values with none, one or two columns swapped for hostile ones. */
function rowOf(table: SyncTableName): fc.Arbitrary<Record<string, unknown>> {
  const decls = columnDecls(table);
  const names = decls.map(([name]) => name);
  const valid = fc.record(Object.fromEntries(decls.map(([name, c]) => [name, validValue(c)])));
  const hostile = fc.record(Object.fromEntries(decls.map(([name, c]) => [name, hostileValue(c)])));
  const swapped = fc.oneof(
    { weight: 2, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.subarray(names, { minLength: 1, maxLength: 2 }) },
  );
  return fc
    .tuple(valid, hostile, swapped)
    .map(([v, h, cols]) =>
      Object.fromEntries(names.map((n) => [n, cols.includes(n) ? (h as Record<string, unknown>)[n] : (v as Record<string, unknown>)[n]])),
    );
}

/** A row changed in shape: a key dropped, one added. */
const reshaped = (row: Record<string, unknown>, drop: number, add: boolean): Record<string, unknown> => {
  const out = { ...row };
  const keys = Object.keys(out);
  if (drop < keys.length) delete out[keys[drop]!];
  if (add) out.extra = 1;
  return out;
};

const changeArb: fc.Arbitrary<unknown> = fc.oneof(
  ...SYNC_TABLES.map((table) =>
    fc.tuple(rowOf(table), fc.nat({ max: 40 }), fc.boolean(), fc.boolean()).map(([row, drop, add, outerExtra]) => ({
      table,
      op: 'upsert',
      row: drop < 30 && !add ? row : reshaped(row, drop, add),
      ...(outerExtra ? { seen: true } : {}),
    })),
  ),
  fc.record({ table: fc.oneof(fc.constantFrom(...SYNC_TABLES), fc.constant('setting')), op: fc.constant('delete'), id: anyId }),
  fc.record({ op: fc.constantFrom('enter', 'leave', 'upsert', 'move'), userId: anyId }),
  fc.constantFrom<unknown>(null, [], 'upsert', { op: 'upsert' }, { table: 'user', op: 'upsert', row: null }),
);

describe('acceptsChange: the pull decoder fast path never accepts what the Change schema refuses', () => {
  it('a change it accepts, zod accepts too, and returns unchanged', () => {
    let fast = 0;
    fc.assert(
      fc.property(changeArb, (raw) => {
        if (!acceptsChange(raw)) return;
        fast++;
        const parsed = Change.safeParse(raw);
        expect(parsed.success, JSON.stringify(parsed.error?.issues[0])).toBe(true);
        expect(parsed.data).toEqual(raw);
      }),
      { numRuns: RUNS },
    );
    // The generator reaches the fast path often enough for the property to mean something.
    expect(fast).toBeGreaterThan(RUNS / 10);
  });

  it('a well-formed change of every kind takes the fast path (so a pull does not fall back to zod for ordinary rows)', () => {
    const time = '2026-04-20T10:00:00.123Z';
    const rows: Record<SyncTableName, Record<string, unknown>> = {
      user: { id: 'usr_1', email: 'a@b.org', name: 'Maya 😀', origin: null, profile_img: null, roles: ['student'], created_at: time },
      cohort: { id: 'coh_1', name: 'Spring', starts_at: null, ends_at: '2026-06-01T00:00:00Z', status: 'active', created_at: time },
      enrollment: { id: 'enr_1', user_id: 'usr_1', cohort_id: 'coh_1', course_name: null, status: 'active', enrolled_at: time },
      user_action: {
        id: 'act_1',
        user_id: 'usr_1',
        enrollment_id: null,
        action_type: 'viewed_module',
        target_type: null,
        target_id: null,
        metadata: { a: [1, { b: 'c' }], n: null },
        source_system: 'segment',
        source_event_id: 'e1',
        idempotency_key: 'user_action:segment:e1',
        occurred_at: time,
      },
      champion: {
        id: 'ch_1',
        user_id: 'usr_1',
        cohort_id: null,
        stage: 'candidate',
        notes: '',
        selected_at: null,
        became_champion_at: null,
        stage_version: 3,
      },
      champion_stage_change: {
        id: 'csc_1',
        champion_id: 'ch_1',
        from_stage: null,
        to_stage: 'candidate',
        changed_at: time,
        changed_by: 'usr_2',
        reason: 'because',
      },
    };
    for (const table of SYNC_TABLES) {
      const change = { table, op: 'upsert', row: rows[table] };
      expect(Change.safeParse(change).success, table).toBe(true);
      expect(acceptsChange(change), table).toBe(true);
    }
    expect(acceptsChange({ table: 'user', op: 'delete', id: 'usr_1' })).toBe(true);
    expect(acceptsChange({ op: 'leave', userId: 'usr_1' })).toBe(true);
  });

  it('a stage_version beyond the safe integers (2^53) goes to zod, which refuses it (found by the property above)', () => {
    const row = { id: 'ch_1', user_id: 'usr_1', cohort_id: null, stage: 'candidate', notes: '', selected_at: null, became_champion_at: null };
    for (const stage_version of [2 ** 53, 2 ** 60, 1.5, 0]) {
      const change = { table: 'champion', op: 'upsert', row: { ...row, stage_version } };
      expect(acceptsChange(change), String(stage_version)).toBe(false);
      expect(Change.safeParse(change).success, String(stage_version)).toBe(false);
    }
  });

  it.each([
    ['1999-12-31T23:59:59.999999Z', false],
    ['2000-01-01T00:00:00Z', true],
    ['2000-01-01T00:00:00.0001Z', true],
    ['2099-12-31T23:59:59.9999999Z', true],
    ['2100-01-01T00:00:00Z', false],
    ['2100-01-01T00:00:00.001Z', false],
  ])("a timestamp at the storable range's edge (%s): the fast path and zod agree (%s)", (created_at, storable) => {
    const change = {
      table: 'user',
      op: 'upsert',
      row: { id: 'usr_1', email: 'a@b.org', name: 'Maya', origin: null, profile_img: null, roles: [], created_at },
    };
    expect(Change.safeParse(change).success).toBe(storable);
    expect(acceptsChange(change)).toBe(storable);
  });

  it.each([
    ['an impossible date (Feb 30)', { created_at: '2026-02-30T00:00:00Z' }],
    ['Feb 29 of a year that is not leap', { created_at: '2100-02-29T00:00:00Z' }],
    ['a date out of the storable range', { created_at: '1900-01-01T00:00:00Z' }],
    ['an email of two emoji, under its 3-character minimum', { email: '😀😀' }],
    ['a lone surrogate', { name: 'x\uD800' }],
    ['a NUL', { name: 'a\u0000b' }],
    ['an unknown role', { roles: ['nobody'] }],
    ['an extra column', { extra: 1 }],
  ])('%s goes to zod (and zod refuses it)', (_what, patch) => {
    const row = {
      id: 'usr_1',
      email: 'a@b.org',
      name: 'Maya',
      origin: null,
      profile_img: null,
      roles: [],
      created_at: '2026-01-01T00:00:00Z',
      ...patch,
    };
    const change = { table: 'user', op: 'upsert', row };
    expect(acceptsChange(change)).toBe(false);
    expect(Change.safeParse(change).success).toBe(false);
  });
});
