import { z } from 'zod';
import { IDEMPOTENCY_KEY_MAX } from './limits.js';
import { ChampionRow, ChampionStageChangeRow, UserActionRow } from './rows.js';
import { storableText } from './storable.js';

// The mutations a coordinator can make offline (docs/protocol.md, push table). The app
// writes them to its outbox and the server applies them; both validate with these.

// Arguments that carry a column's value take that column's schema from the wire rows (derived from
// the one declaration, model/tables.ts): a renamed or re-bounded column changes them too.
const card = ChampionRow.shape;
const history = ChampionStageChangeRow.shape;
const action = UserActionRow.shape;

const ChampionCreateArgs = z.strictObject({
  id: card.id,
  userId: card.user_id,
  cohortId: card.cohort_id,
  notes: card.notes,
});
const ChampionMoveArgs = z.strictObject({
  id: card.id,
  from: card.stage,
  to: card.stage,
  at: history.changed_at,
  reason: history.reason,
  /**
   * The row's stage_version the coordinator's move was made on (docs/protocol.md): the move
   * applies only if the row is still at that version, so a card that left `from` and came back
   * (A→B→A) makes a week-old move stale. Null for a move queued before protocol 2 (stage only).
   */
  baseVersion: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable(),
});
export const ChampionSetNotesArgs = z.strictObject({
  id: card.id,
  notes: card.notes,
  baseNotes: card.notes,
});
const ChampionSetCohortArgs = z.strictObject({
  id: card.id,
  cohortId: card.cohort_id,
  baseCohortId: card.cohort_id,
});
const ChampionRemoveArgs = z.strictObject({ id: card.id });
const ActionRecordArgs = z.strictObject({
  id: action.id,
  userId: action.user_id,
  enrollmentId: action.enrollment_id,
  actionType: action.action_type,
  targetType: action.target_type,
  targetId: action.target_id,
  metadata: action.metadata,
  occurredAt: action.occurred_at,
  // Stricter than its column (nullable there): a manual action always has one, made by the app.
  idempotencyKey: storableText({ min: 1, max: IDEMPOTENCY_KEY_MAX }),
});

const MUTATION_ARGS = {
  'champion.create': ChampionCreateArgs,
  'champion.move': ChampionMoveArgs,
  'champion.setNotes': ChampionSetNotesArgs,
  'champion.setCohort': ChampionSetCohortArgs,
  'champion.remove': ChampionRemoveArgs,
  'action.record': ActionRecordArgs,
} as const;

export type MutationName = keyof typeof MUTATION_ARGS;
const MUTATION_NAMES = Object.keys(MUTATION_ARGS) as MutationName[];
export const MutationNameSchema = z.enum(MUTATION_NAMES as [MutationName, ...MutationName[]]);

export type MutationArgs = { [K in MutationName]: z.infer<(typeof MUTATION_ARGS)[K]> };

/** A fully validated mutation, discriminated by name. */
export type Mutation = { [K in MutationName]: { id: number; name: K; args: MutationArgs[K] } }[MutationName];

/** The user_action row an `action.record` writes: a manual action, on the laptop (optimistically) and on the server alike. */
export const manualActionRow = (a: MutationArgs['action.record']): UserActionRow => ({
  id: a.id,
  user_id: a.userId,
  enrollment_id: a.enrollmentId,
  action_type: a.actionType,
  target_type: a.targetType,
  target_id: a.targetId,
  metadata: a.metadata,
  source_system: 'manual',
  source_event_id: null,
  idempotency_key: a.idempotencyKey,
  occurred_at: a.occurredAt,
});

/**
 * The envelope of a mutation as it arrives in a push: id and name checked loosely, args
 * unchecked, so that a mutation with bad args can be `rejected` with `invalid_args`
 * (and still consume its id) instead of failing the whole request.
 */
export const MutationEnvelope = z.strictObject({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  name: z.string().max(100),
  args: z.unknown(),
});
export type MutationEnvelope = z.infer<typeof MutationEnvelope>;

/**
 * A discarded change that may already have reached the server (docs/protocol.md, "Discarding a
 * pending change"): sent under the discarded change's id, carrying that change, so a resend of
 * the same number is not taken for a diverged history. The server applies nothing and answers
 * `discard: "discarded"`, or, when the change itself already applied, its own answer with
 * `discard: "too_late"`.
 */
export const NOOP_MUTATION = 'noop' as const;
export const NoopArgs = z.strictObject({
  discards: z.strictObject({ name: z.string().max(100), args: z.unknown() }),
});
export type NoopArgs = z.infer<typeof NoopArgs>;

/**
 * `blocked`: not applied because an earlier change to the same row, in the same push, was
 * refused; it waits for the coordinator's decision on that one (docs/protocol.md).
 */
export const REJECTION_CODES = ['not_found', 'duplicate_champion', 'stale', 'invalid_transition', 'invalid_args', 'blocked', 'out_of_scope'] as const;
export const RejectionCode = z.enum(REJECTION_CODES);
export type RejectionCode = z.infer<typeof RejectionCode>;

/** Parse one envelope's args; on failure, the first issue's path as `args.x.y` and a plain message. */
export function parseMutation(env: MutationEnvelope): { ok: true; mutation: Mutation } | { ok: false; field: string; message: string } {
  const schema = (MUTATION_ARGS as Record<string, z.ZodType | undefined>)[env.name];
  if (!schema) return { ok: false, field: 'name', message: `unknown mutation "${env.name}"` };
  const r = schema.safeParse(env.args);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = ['args', ...issue.path.map(String)].join('.');
    return { ok: false, field: path, message: `${path}: ${issue.message}` };
  }
  return { ok: true, mutation: { id: env.id, name: env.name, args: r.data } as Mutation };
}
