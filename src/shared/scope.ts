import { z } from 'zod';
import { RowId } from './rows.js';

// A coordinator's scope (issue 13, docs/protocol.md "Scopes"): every community (`all`), or a set
// of cohorts. Members in scope are those with an enrollment or a champion row in one of them.

/** At most this many cohorts in one scope: far above any real coordinator, below a body that hurts. */
const MAX_SCOPE_COHORTS = 10_000;

/** `PUT /v1/admin/scopes/:userId` body. */
export const ScopeInput = z.strictObject({
  all: z.boolean(),
  cohortIds: z.array(RowId).max(MAX_SCOPE_COHORTS, `at most ${MAX_SCOPE_COHORTS} cohorts`),
});
export type ScopeInput = z.infer<typeof ScopeInput>;

/** A scope as the admin API and the login answer's `user.scope` carry it (no userId on the login's). */
export const Scope = z.object({ all: z.boolean(), cohortIds: z.array(RowId) });
export type Scope = z.infer<typeof Scope>;

export const ScopeAnswer = Scope.extend({ userId: RowId });
export type ScopeAnswer = z.infer<typeof ScopeAnswer>;
