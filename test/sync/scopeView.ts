import { sql } from 'drizzle-orm';
import type { Dump, TestServer } from './harness.js';
import { serverDump } from './harness.js';

// The scope rule, computed plainly from the server's tables (NOT from scope_member, the
// triggers' table under test): a coordinator's laptop must hold exactly this.
//
// - superadmin, or coordinator_scope.all: everything;
// - no coordinator_scope row: no member;
// - otherwise members with an enrollment or a champion row whose cohort_id is a scope cohort;
//   for each: the user row, all enrollments, all actions, all champion rows, their history.
// Cohort rows go to everyone.

interface Row {
  id: string;
  user_id?: string;
  cohort_id?: string | null;
  champion_id?: string;
}

export async function scopedView(s: TestServer, coordinatorId: string, dump?: Dump): Promise<Dump> {
  const full = dump ?? (await serverDump(s));
  const scope = await s.server.admin.database.read(async (tx) => {
    const u = await tx.rows<{ roles: string[] }>(sql`SELECT roles FROM "user" WHERE id = ${coordinatorId}`);
    const sc = await tx.rows<{ all: boolean }>(sql`SELECT "all" AS all FROM coordinator_scope WHERE user_id = ${coordinatorId}`);
    const cohorts = await tx.rows<{ cohort_id: string }>(sql`SELECT cohort_id FROM coordinator_scope_cohort WHERE user_id = ${coordinatorId}`);
    return { superadmin: (u[0]?.roles ?? []).includes('superadmin'), row: sc[0] ?? null, cohorts: new Set(cohorts.map((c) => c.cohort_id)) };
  });
  if (scope.superadmin || scope.row?.all) return full;
  const cohorts = scope.row ? scope.cohorts : new Set<string>();
  const rows = (t: keyof Dump) => full[t] as Row[];
  const members = new Set<string>();
  for (const r of [...rows('enrollment'), ...rows('champion')]) if (r.cohort_id != null && cohorts.has(r.cohort_id)) members.add(r.user_id!);
  const champions = new Set(
    rows('champion')
      .filter((r) => members.has(r.user_id!))
      .map((r) => r.id),
  );
  return {
    cohort: full.cohort,
    user: rows('user').filter((r) => members.has(r.id)),
    enrollment: rows('enrollment').filter((r) => members.has(r.user_id!)),
    user_action: rows('user_action').filter((r) => members.has(r.user_id!)),
    champion: rows('champion').filter((r) => members.has(r.user_id!)),
    champion_stage_change: rows('champion_stage_change').filter((r) => champions.has(r.champion_id!)),
  };
}

/**
 * Each member's rows besides the user row (enrollments, actions, champion rows and their
 * history), counted plainly from a dump: what member_row_count (server migration 0008) must hold.
 * Members with none are left out (the table may keep a zero).
 */
export function memberRowCounts(full: Dump): Record<string, number> {
  const rows = (t: keyof Dump) => full[t] as Row[];
  const owner = new Map(rows('champion').map((c) => [c.id, c.user_id!]));
  const counts: Record<string, number> = {};
  const add = (member: string | undefined) => {
    if (member !== undefined) counts[member] = (counts[member] ?? 0) + 1;
  };
  for (const t of ['enrollment', 'user_action', 'champion'] as const) for (const r of rows(t)) add(r.user_id);
  for (const r of rows('champion_stage_change')) add(owner.get(r.champion_id!));
  return counts;
}

/** member_row_count as the server holds it, zeros left out. */
export async function storedMemberRowCounts(s: TestServer): Promise<Record<string, number>> {
  const rows = await s.server.admin.database.read((tx) =>
    tx.rows<{ member_id: string; n: number }>(sql`SELECT member_id, n::int AS n FROM member_row_count WHERE n <> 0`),
  );
  return Object.fromEntries(rows.map((r) => [r.member_id, r.n]));
}
