import { sql } from 'drizzle-orm';
import { isCoordinator, type Role } from '../shared/enums.js';
import type { Scope, ScopeAnswer, ScopeInput } from '../shared/scope.js';
import type { Database, Tx } from './db/database.js';
import { DomainError } from './domainError.js';

// Coordinators' scopes (issue 13, docs/protocol.md "Scopes"). The tables are coordinator_scope
// (the `all` flag) and coordinator_scope_cohort; the triggers of migration 0005 keep
// scope_member and its events exact whenever either changes, so this module only writes them.

/** How a coordinator's pull is filtered: unfiltered (`all`), or by the members in scope_member. */
export type PullScope = { kind: 'all' } | { kind: 'cohorts'; coordinatorId: string };

const isSuperadmin = (roles: readonly Role[]) => roles.includes('superadmin');

/** A user's scope as the API answers it. Superadmins are `all`; no row yet is an empty scope. */
export async function readScope(tx: Tx, userId: string, roles: readonly Role[]): Promise<Scope> {
  if (isSuperadmin(roles)) return { all: true, cohortIds: [] };
  const r = await tx.rows<{ all: boolean; cohort_ids: string[] | null }>(
    sql`SELECT s."all" AS all, (SELECT array_agg(c.cohort_id ORDER BY c.cohort_id) FROM coordinator_scope_cohort c WHERE c.user_id = s.user_id) AS cohort_ids
        FROM coordinator_scope s WHERE s.user_id = ${userId}`,
  );
  const row = r[0];
  if (!row) return { all: false, cohortIds: [] };
  return { all: row.all, cohortIds: row.all ? [] : (row.cohort_ids ?? []) };
}

/** A user's scope by id (their roles read here): what a pull page tells the app. */
export async function readScopeOf(tx: Tx, userId: string): Promise<Scope> {
  const r = await tx.rows<{ roles: Role[] }>(sql`SELECT roles FROM "user" WHERE id = ${userId}`);
  return readScope(tx, userId, r[0]?.roles ?? []);
}

/** Inside a pull's snapshot: is this coordinator's pull unfiltered, or filtered by their members? */
export async function pullScope(tx: Tx, userId: string): Promise<PullScope> {
  const r = await tx.rows<{ roles: Role[]; all: boolean | null }>(
    sql`SELECT u.roles, s."all" AS all FROM "user" u LEFT JOIN coordinator_scope s ON s.user_id = u.id WHERE u.id = ${userId}`,
  );
  const row = r[0];
  if (row && (isSuperadmin(row.roles) || row.all === true)) return { kind: 'all' };
  return { kind: 'cohorts', coordinatorId: userId };
}

async function coordinatorRoles(tx: Tx, userId: string): Promise<Role[]> {
  const r = await tx.rows<{ roles: Role[] }>(sql`SELECT roles FROM "user" WHERE id = ${userId}`);
  const roles = r[0]?.roles;
  if (!roles || !isCoordinator(roles))
    throw new DomainError('bad_request', `userId: ${userId} is not a coordinator (an admin or a superadmin)`, { field: 'userId' });
  return roles;
}

export async function getScope(db: Database, userId: string): Promise<ScopeAnswer> {
  return db.read(async (tx) => ({ userId, ...(await readScope(tx, userId, await coordinatorRoles(tx, userId))) }));
}

/**
 * Replace a coordinator's scope. One write transaction: the scope tables' triggers append the
 * enter/leave events for every member who comes or goes, in the change order.
 */
export async function putScope(db: Database, userId: string, input: ScopeInput): Promise<ScopeAnswer> {
  if (input.all && input.cohortIds.length > 0)
    throw new DomainError('bad_request', 'cohortIds: leave it empty when all is true', { field: 'cohortIds' });
  const wanted = [...new Set(input.cohortIds)];
  return db.write(async (tx) => {
    const roles = await coordinatorRoles(tx, userId);
    if (isSuperadmin(roles) && !input.all) throw new DomainError('bad_request', 'all: a superadmin always holds every community', { field: 'all' });
    const known = new Set(
      (
        await tx.rows<{ id: string }>(sql`SELECT id FROM cohort WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb))`)
      ).map((r) => r.id),
    );
    input.cohortIds.forEach((id, i) => {
      if (!known.has(id)) throw new DomainError('bad_request', `cohortIds[${i}]: there is no cohort ${id}`, { field: `cohortIds[${i}]` });
    });
    await tx.rows(
      sql`INSERT INTO coordinator_scope (user_id, "all") VALUES (${userId}, ${input.all})
          ON CONFLICT (user_id) DO UPDATE SET "all" = EXCLUDED."all" WHERE coordinator_scope."all" IS DISTINCT FROM EXCLUDED."all"`,
    );
    await tx.rows(
      sql`DELETE FROM coordinator_scope_cohort WHERE user_id = ${userId}
            AND cohort_id NOT IN (SELECT jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb))`,
    );
    await tx.rows(
      sql`INSERT INTO coordinator_scope_cohort (user_id, cohort_id)
          SELECT ${userId}, x FROM jsonb_array_elements_text(${JSON.stringify(wanted)}::jsonb) x ON CONFLICT DO NOTHING`,
    );
    return { userId, ...(await readScope(tx, userId, roles)) };
  });
}

/** Set a scope without the HTTP checks' wording (demo data, tests): same tables, same triggers. */
export async function assignScope(tx: Tx, userId: string, scope: Scope): Promise<void> {
  await tx.rows(
    sql`INSERT INTO coordinator_scope (user_id, "all") VALUES (${userId}, ${scope.all}) ON CONFLICT (user_id) DO UPDATE SET "all" = EXCLUDED."all"`,
  );
  await tx.rows(sql`DELETE FROM coordinator_scope_cohort WHERE user_id = ${userId}`);
  if (!scope.all && scope.cohortIds.length > 0)
    await tx.rows(
      sql`INSERT INTO coordinator_scope_cohort (user_id, cohort_id) SELECT ${userId}, x FROM jsonb_array_elements_text(${JSON.stringify(scope.cohortIds)}::jsonb) x`,
    );
}
