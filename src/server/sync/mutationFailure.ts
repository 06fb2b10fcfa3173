import { dataFault } from '../db/dataFault.js';
import type { Outcome } from './applyMutation.js';

// What a database failure while applying one pushed mutation means (docs/protocol.md, "Push
// never stops on one mutation"). A failure that belongs to the mutation's data would happen
// again on every resend, so it becomes that mutation's `rejected` (its id consumed, the rest of
// the batch applied) instead of failing the push forever (src/server/db/dataFault.ts says which
// failures those are). An outage fails the push as a whole, changes nothing, and the client
// retries later.

// The mutation argument behind each stored column a constraint names (`champion_notes_storable`).
const COLUMN_ARGS: [RegExp, string][] = [
  [/notes/, 'args.notes'],
  [/reason/, 'args.reason'],
  [/metadata/, 'args.metadata'],
  [/target_id/, 'args.targetId'],
  [/idempotency_key/, 'args.idempotencyKey'],
  [/occurred_at/, 'args.occurredAt'],
  [/selected_at|became_champion_at|changed_at/, 'args.at'],
  [/cohort/, 'args.cohortId'],
  [/user/, 'args.userId'],
];

/** The refusal for a failure that belongs to the mutation, or null for an outage (rethrow it). */
export function mutationFailure(e: unknown): Outcome | null {
  const fault = dataFault(e);
  if (!fault) return null;
  const field = COLUMN_ARGS.find(([re]) => re.test(fault.constraint))?.[1] ?? 'args';
  return { status: 'rejected', code: 'invalid_args', message: `${field}: the server cannot store this change because ${fault.why}.`, field };
}
