import { sql } from 'drizzle-orm';
import { manualActionRow, parseMutation, type MutationArgs, type MutationEnvelope } from '../../shared/mutations.js';
import type { MutationResult } from '../../shared/protocol.js';
import type { Tx } from '../db/database.js';
import { insertRows } from '../db/insertRows.js';
import { decideRecordAction, type Outcome, type PushContext } from './applyMutation.js';

// A run of consecutive `action.record` mutations (the common case: a coordinator logging
// actions offline) in a constant number of statements instead of ~5 per mutation. The rules are
// decideRecordAction's, fed from one lookup query plus what earlier mutations of the run did, so
// the answers are those of applying the run one by one (recordActionsBulk.test.ts compares).
// Runs inside push's write transaction, holding the writers' lock: nothing else can insert
// between the lookup and the insert.

type Args = MutationArgs['action.record'];

interface Lookup {
  kind: 'key' | 'id' | 'user' | 'enrollment';
  k: string;
  v: string | null;
}

/** Thrown when the insert does not land the rows the lookup promised; push then applies the run one by one. */
class BulkMismatch extends Error {}

export async function recordActionsBulk(tx: Tx, envs: readonly MutationEnvelope[], ctx: PushContext): Promise<MutationResult[]> {
  const parsed = envs.map((env) => {
    const p = parseMutation(env);
    if (p.ok && p.mutation.name !== 'action.record') throw new Error('recordActionsBulk takes only action.record mutations');
    return p;
  });
  const argsOf = parsed.flatMap((p) => (p.ok && p.mutation.name === 'action.record' ? [p.mutation.args] : []));

  const facts = await lookUp(tx, argsOf);
  const keyOwner = new Map<string, string>();
  const idsTaken = new Set<string>();
  const users = new Set<string>();
  const enrollmentUser = new Map<string, string>();
  for (const f of facts) {
    if (f.kind === 'key' && f.v !== null) keyOwner.set(f.k, f.v);
    else if (f.kind === 'id') idsTaken.add(f.k);
    else if (f.kind === 'user') users.add(f.k);
    else if (f.kind === 'enrollment' && f.v !== null) enrollmentUser.set(f.k, f.v);
  }

  const results: MutationResult[] = [];
  const toInsert: Args[] = [];
  parsed.forEach((p, i) => {
    const id = envs[i]!.id;
    if (!p.ok) {
      results.push({ id, status: 'rejected', code: 'invalid_args', message: p.message, field: p.field });
      return;
    }
    if (p.mutation.name !== 'action.record') return;
    const a = p.mutation.args;
    const decision: Outcome | 'insert' = decideRecordAction(
      a,
      {
        keyOwner: keyOwner.get(a.idempotencyKey) ?? null,
        userExists: users.has(a.userId),
        enrollmentUser: a.enrollmentId === null ? undefined : enrollmentUser.get(a.enrollmentId),
        idTaken: idsTaken.has(a.id),
      },
      ctx.now,
    );
    if (decision === 'insert') {
      // Later mutations of the run see this one as if it had been committed before them.
      keyOwner.set(a.idempotencyKey, a.id);
      idsTaken.add(a.id);
      toInsert.push(a);
      results.push({ id, status: 'applied' });
    } else results.push({ id, ...decision });
  });

  if (toInsert.length > 0) {
    // One parameter (a JSON array) rather than 11 per row: no bind-parameter limit, one parse.
    const landed = await tx.rows<{ id: string }>(insertRows('user_action', toInsert.map(manualActionRow), 'skip'));
    // Under the writers' lock the lookup is exact, so every row lands; if one did not (a rule
    // this module does not know), the caller rolls the run back and applies it one by one.
    if (landed.length !== toInsert.length) throw new BulkMismatch(`${toInsert.length - landed.length} of ${toInsert.length} actions did not land`);
  }
  return results;
}

/** Everything the run's rules read from the database, in one query. */
async function lookUp(tx: Tx, args: readonly Args[]): Promise<Lookup[]> {
  if (args.length === 0) return [];
  const uniq = (xs: readonly string[]) => [...new Set(xs)];
  // Each list is its own uncorrelated parameter, so every branch is an index lookup.
  const list = (xs: readonly string[]) => sql`ARRAY(SELECT json_array_elements_text(${JSON.stringify(uniq(xs))}::json))`;
  const enrollments = args.flatMap((a) => (a.enrollmentId === null ? [] : [a.enrollmentId]));
  return tx.rows<Lookup>(
    sql`SELECT 'key' AS kind, idempotency_key AS k, id AS v FROM user_action WHERE idempotency_key = ANY(${list(args.map((a) => a.idempotencyKey))})
        UNION ALL SELECT 'id', id, NULL FROM user_action WHERE id = ANY(${list(args.map((a) => a.id))})
        UNION ALL SELECT 'user', id, NULL FROM "user" WHERE id = ANY(${list(args.map((a) => a.userId))})
        UNION ALL SELECT 'enrollment', id, user_id FROM enrollment WHERE id = ANY(${list(enrollments)})`,
  );
}
