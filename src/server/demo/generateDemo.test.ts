import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChampionRow, ChampionStageChangeRow, CohortRow, EnrollmentRow, ROW_SCHEMAS, UserActionRow, UserRow } from '../../shared/rows.js';
import { STAGES } from '../../shared/enums.js';
import { DEMO_ANCHOR, DEMO_SIZES, generateDemo } from './generateDemo.js';

// The demo data set must be deterministic, of the documented size, valid as wire rows, and
// internally consistent (stories that make sense, champions whose history and roles agree).

function collect(seed?: number) {
  const t = {
    user: [] as UserRow[],
    cohort: [] as CohortRow[],
    enrollment: [] as EnrollmentRow[],
    user_action: [] as UserActionRow[],
    champion: [] as ChampionRow[],
    champion_stage_change: [] as ChampionStageChangeRow[],
  };
  const order: string[] = [];
  for (const b of generateDemo('small', seed)) {
    (t[b.table] as object[]).push(...b.rows);
    if (order.at(-1) !== b.table) order.push(b.table);
  }
  return { t, order };
}

const small = collect();

describe('demo data generator', () => {
  it('is deterministic for a seed and different for another seed', () => {
    const hash = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');
    expect(hash(collect().t)).toBe(hash(small.t));
    expect(hash(collect(7).t.user)).not.toBe(hash(small.t.user));
  });

  it('has the documented sizes (plus the four demo logins) and every row is a valid wire row', () => {
    const s = DEMO_SIZES.small;
    expect(small.t.user).toHaveLength(s.users + 4);
    expect(small.t.user_action).toHaveLength(s.actions);
    expect(small.t.champion).toHaveLength(s.champions);
    expect(small.t.cohort).toHaveLength(s.cohorts);
    for (const [table, rows] of Object.entries(small.t)) for (const r of rows) ROW_SCHEMAS[table as keyof typeof ROW_SCHEMAS].parse(r);
    expect(new Set(small.t.user.map((u) => u.email.toLowerCase())).size).toBe(small.t.user.length);
    expect(new Set(small.t.user_action.map((a) => a.idempotency_key)).size).toBe(s.actions);
  });

  it('emits parents before children so foreign keys hold batch by batch', () => {
    const seen = { user: new Set<string>(), cohort: new Set<string>(), enrollment: new Set<string>(), champion: new Set<string>() };
    const orphans: string[] = [];
    for (const b of generateDemo('small')) {
      for (const r of b.rows as Record<string, unknown>[]) {
        if (b.table === 'enrollment' && !seen.user.has(r.user_id as string)) orphans.push(r.id as string);
        if (b.table === 'user_action' && !seen.enrollment.has(r.enrollment_id as string)) orphans.push(r.id as string);
        if (b.table === 'champion_stage_change' && !seen.champion.has(r.champion_id as string)) orphans.push(r.id as string);
        if (b.table === 'champion' && !(seen.user.has(r.user_id as string) && (r.cohort_id === null || seen.cohort.has(r.cohort_id as string))))
          orphans.push(r.id as string);
        if (b.table in seen) seen[b.table as keyof typeof seen].add(r.id as string);
      }
    }
    expect(orphans).toEqual([]);
  });

  it('has realistic names with accents and non-Latin scripts, and a heavily skewed activity with one very active member', () => {
    const names = small.t.user.map((u) => u.name).join(' ');
    expect(names).toMatch(/[À-ɏ]/); // Latin with diacritics
    expect(names).toMatch(/[\u0400-\u04FF]|[\u0600-\u06FF]|[\u3040-\u30FF]|[\u4E00-\u9FFF]/); // Cyrillic, Arabic, kana, CJK
    const perUser = new Map<string, number>();
    for (const a of small.t.user_action) perUser.set(a.user_id, (perUser.get(a.user_id) ?? 0) + 1);
    const counts = [...perUser.values()].sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThanOrEqual(DEMO_SIZES.small.heaviest);
    expect([...perUser.entries()].find(([id]) => id.startsWith('usr_1_'))![1]).toBe(DEMO_SIZES.small.heaviest);
    expect(counts[Math.floor(counts.length / 2)]!).toBeLessThan(counts[0]! / 20);
    // The large set's heaviest member has the ≥ 10,000 actions the timeline benchmark needs.
    expect(DEMO_SIZES.large.heaviest).toBeGreaterThanOrEqual(10_000);
  });

  it('tells each member’s story in order: enrolled first, modules started before completed, timestamps rising', () => {
    const byEnrollment = new Map<string, UserActionRow[]>();
    for (const a of small.t.user_action) byEnrollment.set(a.enrollment_id!, [...(byEnrollment.get(a.enrollment_id!) ?? []), a]);
    for (const acts of byEnrollment.values()) {
      expect(acts[0]!.action_type).toBe('enrolled');
      const started = new Set<string>();
      for (let i = 0; i < acts.length; i++) {
        const a = acts[i]!;
        if (i > 0) expect(a.occurred_at >= acts[i - 1]!.occurred_at).toBe(true);
        if (a.action_type === 'started_module') started.add(a.target_id!);
        if (a.action_type === 'completed_module') expect(started.has(a.target_id!)).toBe(true);
      }
    }
    const enr = new Map(small.t.enrollment.map((e) => [e.id, e]));
    for (const [id, acts] of byEnrollment) {
      if (acts.some((a) => a.action_type === 'completed_course')) expect(enr.get(id)!.status).toBe('completed');
      if (acts.some((a) => a.action_type === 'unenrolled')) expect(enr.get(id)!.status).toBe('withdrawn');
    }
  });

  it('has champions in every stage whose history walks one step at a time to their stage, with roles that agree', () => {
    expect(new Set(small.t.champion.map((c) => c.stage))).toEqual(new Set(STAGES));
    const history = new Map<string, ChampionStageChangeRow[]>();
    for (const h of small.t.champion_stage_change) history.set(h.champion_id, [...(history.get(h.champion_id) ?? []), h]);
    const slots = new Set<string>();
    for (const c of small.t.champion) {
      const slot = `${c.user_id}|${c.cohort_id ?? 'global'}`;
      expect(slots.has(slot)).toBe(false);
      slots.add(slot);
      const h = history.get(c.id)!;
      expect(h[0]).toMatchObject({ from_stage: null, to_stage: 'candidate' });
      for (let i = 1; i < h.length; i++) {
        expect(h[i]!.from_stage).toBe(h[i - 1]!.to_stage);
        expect(Math.abs(STAGES.indexOf(h[i]!.to_stage) - STAGES.indexOf(h[i]!.from_stage!))).toBe(1);
      }
      expect(h.at(-1)!.to_stage).toBe(c.stage);
      expect(c.selected_at !== null).toBe(STAGES.indexOf(c.stage) >= 1);
      expect(c.became_champion_at !== null).toBe(STAGES.indexOf(c.stage) >= 2);
    }
    expect(small.t.champion.some((c) => c.notes.length > 0)).toBe(true);
    const champs = new Set(small.t.champion.filter((c) => c.stage === 'champion').map((c) => c.user_id));
    for (const u of small.t.user) expect(u.roles.includes('champion')).toBe(champs.has(u.id));
  });

  it('puts every history in the past: no action, enrollment, stage change or champion date after the anchor day', () => {
    const late = (rows: { id: string }[], col: string) =>
      rows
        .filter((r) => {
          const v = (r as unknown as Record<string, string | null>)[col];
          return v !== null && v !== undefined && Date.parse(v) > DEMO_ANCHOR;
        })
        .map((r) => `${r.id}.${col}`);
    expect([
      ...late(small.t.user_action, 'occurred_at'),
      ...late(small.t.enrollment, 'enrolled_at'),
      ...late(small.t.champion_stage_change, 'changed_at'),
      ...late(small.t.champion, 'selected_at'),
      ...late(small.t.champion, 'became_champion_at'),
      ...late(small.t.user, 'created_at'),
      ...late(small.t.cohort, 'created_at'),
    ]).toEqual([]);
    // Time in stage: every card entered its stage before the anchor day, so none reads "today" from the future.
    const last = new Map<string, string>();
    for (const h of small.t.champion_stage_change) last.set(h.champion_id, h.changed_at);
    expect([...last.values()].every((at) => Date.parse(at) < DEMO_ANCHOR)).toBe(true);
  });
});
