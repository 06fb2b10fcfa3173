import { describe, expect, it } from 'vitest';
import { jsonProblem, storableText, utf8Length } from './storable.js';
import { UserRow, UserActionRow } from './rows.js';
import { ChampionSetNotesArgs } from './mutations.js';
import { JSON_MAX_DEPTH, METADATA_MAX_BYTES } from './limits.js';

const nest = (depth: number): unknown => {
  let v: unknown = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
};
const user = { id: 'usr_1', email: 'a@b.c', name: 'Maya', origin: null, profile_img: null, roles: [], created_at: '2026-01-01T00:00:00.000Z' };
const action = {
  id: 'act_1',
  user_id: 'usr_1',
  enrollment_id: null,
  action_type: 'enrolled',
  target_type: null,
  target_id: null,
  metadata: {},
  source_system: null,
  source_event_id: null,
  idempotency_key: null,
  occurred_at: '2026-01-01T00:00:00.000Z',
};

describe('storable values', () => {
  it('JSON nested exactly JSON_MAX_DEPTH deep is storable; one level more is not, and 100,000 levels cost nothing', () => {
    expect(jsonProblem(nest(JSON_MAX_DEPTH))).toBeNull();
    expect(jsonProblem(nest(JSON_MAX_DEPTH + 1))?.message).toMatch(/nested more than 16/);
    const t = performance.now();
    expect(jsonProblem(nest(100_000))).not.toBeNull();
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('JSON over METADATA_MAX_BYTES, with a NUL, a lone surrogate or a non-finite number is refused', () => {
    expect(jsonProblem({ s: 'x'.repeat(METADATA_MAX_BYTES) })?.message).toMatch(/KiB/);
    expect(jsonProblem({ s: 'a\u0000b' })?.path).toBe('s');
    expect(jsonProblem({ s: ['\uD800'] })?.path).toBe('s[0]');
    expect(jsonProblem({ ['\uDC00']: 1 })).not.toBeNull();
    expect(jsonProblem({ s: '😀 ok' })).toBeNull();
  });

  it('a column maximum counts UTF-16 units as the server CHECKs and a browser do: 64 emoji fit 128, 65 do not (zod alone counts code points)', () => {
    const t = storableText({ max: 128 });
    expect(t.safeParse('😀'.repeat(64)).success).toBe(true);
    expect(t.safeParse('😀'.repeat(65)).success).toBe(false);
    expect(t.safeParse('😀'.repeat(101)).error?.issues[0]?.message).toBe('must be at most 128 characters');
    expect(storableText({ min: 3, max: 320 }).safeParse('😀😀').success).toBe(false);
  });

  it('counts UTF-8 bytes as the server will', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', '\uD800x']) expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
  });

  it('a user row with an empty or 201-character name, a NUL in the email, or a year-0000 date is refused naming the field', () => {
    expect(UserRow.safeParse(user).success).toBe(true);
    for (const [bad, field] of [
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ email: 'a\u0000@b.c' }, 'email'],
      [{ created_at: '0000-01-01T00:00:00Z' }, 'created_at'],
      [{ created_at: '2100-01-01T00:00:00Z' }, 'created_at'],
    ] as const) {
      const r = UserRow.safeParse({ ...user, ...bad });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual([field]);
    }
  });

  it('metadata nested 1,000 deep is refused naming metadata itself', () => {
    const r = UserActionRow.safeParse({ ...action, metadata: nest(1000) });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['metadata']);
  });

  it('notes with a NUL or a lone surrogate are refused', () => {
    expect(ChampionSetNotesArgs.safeParse({ id: 'ch_1', notes: 'a\u0000', baseNotes: '' }).success).toBe(false);
    expect(ChampionSetNotesArgs.safeParse({ id: 'ch_1', notes: 'a\uDBFF', baseNotes: '' }).success).toBe(false);
    expect(ChampionSetNotesArgs.safeParse({ id: 'ch_1', notes: 'a😀', baseNotes: '' }).success).toBe(true);
  });
});
