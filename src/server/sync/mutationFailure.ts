import type { Outcome } from './applyMutation.js';

// What a database failure while applying one pushed mutation means (docs/protocol.md, "Push
// never stops on one mutation"). A failure that belongs to the mutation's data would happen
// again on every resend, so it becomes that mutation's `rejected` (its id consumed, the rest of
// the batch applied) instead of failing the push forever: integrity constraints (SQLSTATE class
// 23), data exceptions (22: a value out of range, a NUL, bad JSON) and program limits (54: a
// value too large to index). Anything else (a lost connection, a deadlock, a full disk, a bug)
// is an outage: the push fails as a whole, changes nothing, and the client retries later.

const MUTATION_FAULT_CLASSES = new Set(['22', '23', '54']);

/** The SQLSTATE of a database error, looking through drivers' wrappers (drizzle wraps in `cause`). */
function sqlState(e: unknown): string | undefined {
  return dbField(e, 'code', /^[0-9A-Z]{5}$/);
}

function dbField(e: unknown, key: string, shape?: RegExp): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
    const v = (cur as Record<string, unknown>)[key];
    if (typeof v === 'string' && (!shape || shape.test(v))) return v;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

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
  const state = sqlState(e);
  if (!state || !MUTATION_FAULT_CLASSES.has(state.slice(0, 2))) return null;
  const constraint = dbField(e, 'constraint') ?? '';
  const field = COLUMN_ARGS.find(([re]) => re.test(constraint))?.[1] ?? 'args';
  const why = state.startsWith('23')
    ? 'it breaks one of its data rules'
    : state.startsWith('54')
      ? 'a value is too large'
      : 'a value is not one it can store';
  return { status: 'rejected', code: 'invalid_args', message: `${field}: the server cannot store this change because ${why}.`, field };
}
