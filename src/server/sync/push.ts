import { sql } from 'drizzle-orm';
import { parseMutation } from '../../shared/mutations.js';
import type { MutationResult, PushRequest, PushResponse } from '../../shared/protocol.js';
import type { Database } from '../db/database.js';
import { ApiError } from '../http/apiError.js';
import { applyMutation, type Outcome } from './applyMutation.js';
import { claimClient } from './syncClient.js';

const gap = (expected: number, message: string) => new ApiError('mutation_gap', message, { expected });

/**
 * Apply a push (PROTOCOL.md). Each new mutation runs in its own transaction together with
 * the advance of lastMutationId, so a crash or lost response never applies anything twice:
 * the resend finds those ids already applied.
 */
export async function push(db: Database, userId: string, req: PushRequest, now = Date.now()): Promise<PushResponse> {
  const last = await db.write((tx) => claimClient(tx, req.clientId, userId, { forUpdate: false }));
  const ids = req.mutations.map((m) => m.id);
  for (let i = 1; i < ids.length; i++) {
    if (ids[i] !== ids[i - 1]! + 1)
      throw gap(last + 1, `mutations[${i}].id: mutation ids must rise by exactly 1 (got ${ids[i - 1]} then ${ids[i]})`);
  }
  const firstNew = ids.find((id) => id > last);
  if (firstNew !== undefined && firstNew !== last + 1)
    throw gap(last + 1, `The server has applied mutations up to ${last}; the next must be ${last + 1}, not ${firstNew}.`);

  const results: MutationResult[] = [];
  let lastMutationId = last;
  for (const env of req.mutations) {
    if (env.id <= last) {
      results.push({ id: env.id, status: 'already_applied' });
      continue;
    }
    const outcome = await db.write(async (tx): Promise<Outcome | 'gap'> => {
      const cur = await claimClient(tx, req.clientId, userId, { forUpdate: true });
      // A concurrent push of the same outbox may have got here first.
      if (cur >= env.id) return { status: 'already_applied' };
      if (cur !== env.id - 1) return 'gap';
      const parsed = parseMutation(env);
      const out: Outcome = parsed.ok
        ? await applyMutation(tx, parsed.mutation, { userId, now })
        : { status: 'rejected', code: 'invalid_args', message: parsed.message, field: parsed.field };
      await tx.rows(sql`UPDATE sync_client SET last_mutation_id = ${env.id} WHERE client_id = ${req.clientId}`);
      return out;
    });
    if (outcome === 'gap') throw gap(lastMutationId + 1, 'Another push from this client changed its state meanwhile; retry.');
    results.push({ id: env.id, ...outcome });
    lastMutationId = Math.max(lastMutationId, env.id);
  }
  return { lastMutationId, results };
}
