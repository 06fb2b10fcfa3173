import { sql } from 'drizzle-orm';
import { NOOP_MUTATION, NoopArgs, parseMutation, type MutationEnvelope } from '../../shared/mutations.js';
import type { MutationResult, PushRequest, PushResponse } from '../../shared/protocol.js';
import type { Database, Tx } from '../db/database.js';
import { DomainError } from '../domainError.js';
import { applyMutation, type Outcome, type PushContext } from './applyMutation.js';
import { mutationFailure } from './mutationFailure.js';
import { forgetAcknowledged, rememberedResults, rememberResults } from './outcomes.js';
import { recordActionsBulk } from './recordActionsBulk.js';
import { RefusedRows, withNamedRow, withNamedRows } from './rejections.js';
import { assertSameDatabase } from './serverIdentity.js';
import { claimClient } from './syncClient.js';
import { OUT_OF_SCOPE, ScopeGuard } from './scopeGuard.js';

async function anyRefused(tx: Tx, guard: ScopeGuard, envs: readonly MutationEnvelope[]): Promise<boolean> {
  for (const env of envs) if (await guard.refuses(tx, env)) return true;
  return false;
}

const gap = (expected: number, message: string) => new DomainError('mutation_gap', message, { expected });

/** Runs of at least this many consecutive `action.record`s take the bulk path. */
const BULK_MIN_RUN = 2;

/**
 * Apply a push (docs/protocol.md) in ONE write transaction: the writers' lock and the client row
 * are taken once, every new mutation runs inside its own SAVEPOINT (a rejected or failing
 * mutation's partial writes are undone, its id still consumed), and `last_mutation_id` is
 * advanced once, at the end, in the same transaction.
 *
 * Why this still meets "each mutation is applied atomically together with the advance of
 * lastMutationId": the transaction commits the effects of mutations a..b together with
 * lastMutationId = b, or (crash, lost connection, error) commits nothing and leaves it at a-1.
 * No state is ever visible where a mutation's effects and the counter disagree, so a resend of
 * the same request applies each mutation exactly once. Clients see the same answers as with one
 * transaction per mutation; only the granularity of progress after a crash is coarser.
 */
export async function push(db: Database, userId: string, req: PushRequest, now = Date.now()): Promise<PushResponse> {
  const ids = req.mutations.map((m) => m.id);
  const ctx: PushContext = { userId, now };
  return db.write(async (tx) => {
    const databaseId = await assertSameDatabase(tx, req.databaseId);
    // FOR UPDATE: a concurrent push of the same outbox waits here and then sees our lastMutationId.
    const last = await claimClient(tx, req.clientId, userId, { forUpdate: true });
    for (let i = 1; i < ids.length; i++) {
      if (ids[i] !== ids[i - 1]! + 1)
        throw gap(last + 1, `mutations[${i}].id: mutation ids must rise by exactly 1 (got ${ids[i - 1]} then ${ids[i]})`);
    }
    const firstNew = ids.find((id) => id > last);
    if (firstNew !== undefined && firstNew !== last + 1)
      throw gap(last + 1, `The server has applied mutations up to ${last}; the next must be ${last + 1}, not ${firstNew}.`);

    await forgetAcknowledged(tx, req.clientId, Math.min(req.ack, last));
    // A resend gets the answers it got the first time (or 409 client_diverged for a reused id).
    const resent = req.mutations.filter((m) => m.id <= last);
    const results: MutationResult[] = await rememberedResults(tx, req.clientId, resent);
    const guard = await ScopeGuard.forPusher(tx, userId);
    const refused = new RefusedRows();
    resent.forEach((env, i) => refused.note(env, results[i]!));
    const fresh = req.mutations.filter((m) => m.id > last);
    const freshResults: MutationResult[] = [];
    for (let i = 0; i < fresh.length;) {
      let j = i;
      while (j < fresh.length && fresh[j]!.name === 'action.record') j++;
      if (j - i >= BULK_MIN_RUN && !(await anyRefused(tx, guard, fresh.slice(i, j)))) {
        freshResults.push(...(await applyActionRun(tx, fresh.slice(i, j), ctx)));
        i = j;
      } else {
        const env = fresh[i]!;
        if (env.name === NOOP_MUTATION) {
          // A discarded change the server never received: nothing to apply, the id consumed.
          const ok = NoopArgs.safeParse(env.args);
          const out: Outcome = ok.success
            ? { status: 'applied', discard: 'discarded' }
            : { status: 'rejected', code: 'invalid_args', message: 'args: a discard must name the change it discards', field: 'args' };
          freshResults.push({ id: env.id, ...out });
          i++;
          continue;
        }
        const out = (await guard.refuses(tx, env))
          ? OUT_OF_SCOPE
          : refused.blocks(env)
            ? await refused.blockedOutcome(tx, env)
            : await withNamedRow(tx, env, await applyOne(tx, env, ctx));
        refused.note(env, out);
        freshResults.push({ id: env.id, ...out });
        i++;
      }
    }
    await rememberResults(tx, req.clientId, fresh, freshResults);
    results.push(...freshResults);
    const lastMutationId = fresh.length > 0 ? fresh[fresh.length - 1]!.id : last;
    if (lastMutationId !== last) await tx.rows(sql`UPDATE sync_client SET last_mutation_id = ${lastMutationId} WHERE client_id = ${req.clientId}`);
    return { lastMutationId, results, databaseId, serverTime: new Date(ctx.now).toISOString() };
  });
}

/** One mutation inside its own savepoint: a rejection or a data-rule failure leaves no partial writes. */
async function applyOne(tx: Tx, env: MutationEnvelope, ctx: PushContext): Promise<Outcome> {
  const parsed = parseMutation(env);
  if (!parsed.ok) return { status: 'rejected', code: 'invalid_args', message: parsed.message, field: parsed.field };
  await tx.rows(sql`SAVEPOINT afh_mutation`);
  let out: Outcome;
  try {
    out = await applyMutation(tx, parsed.mutation, ctx);
  } catch (e) {
    // A failure of the mutation's own data would recur on every resend: it is rejected and
    // consumes its id so the outbox does not jam (mutationFailure.ts). An outage fails the whole
    // request, which then changed nothing.
    const refusal = mutationFailure(e);
    if (!refusal) throw e;
    await tx.rows(sql`ROLLBACK TO SAVEPOINT afh_mutation`);
    return refusal;
  }
  await tx.rows(out.status === 'rejected' ? sql`ROLLBACK TO SAVEPOINT afh_mutation` : sql`RELEASE SAVEPOINT afh_mutation`);
  return out;
}

/** A run of `action.record`s: the bulk path, or (if the bulk insert surprises us) one by one. */
async function applyActionRun(tx: Tx, envs: readonly MutationEnvelope[], ctx: PushContext): Promise<MutationResult[]> {
  await tx.rows(sql`SAVEPOINT afh_bulk`);
  try {
    const results = await recordActionsBulk(tx, envs, ctx);
    await tx.rows(sql`RELEASE SAVEPOINT afh_bulk`);
    return withNamedRows(tx, envs, results);
  } catch {
    await tx.rows(sql`ROLLBACK TO SAVEPOINT afh_bulk`);
    const results: MutationResult[] = [];
    for (const env of envs) results.push({ id: env.id, ...(await withNamedRow(tx, env, await applyOne(tx, env, ctx))) });
    return results;
  }
}
