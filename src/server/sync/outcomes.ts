import { sql } from 'drizzle-orm';
import { NOOP_MUTATION, NoopArgs, type MutationEnvelope } from '../../shared/mutations.js';
import type { MutationResult } from '../../shared/protocol.js';
import type { Database, Tx } from '../db/database.js';
import { DomainError } from '../domainError.js';
import { mutationFingerprint } from './fingerprint.js';

// Remembered outcomes (docs/protocol.md, "outcomes remembered"): every pushed mutation's
// answer is kept with its fingerprint until the client acknowledges it, so a resend gets the
// same answer (a refusal stays a refusal) and a reused id is told from a resend.

/** The answers given to mutations this client sends again; a reused id with other content: 409 client_diverged. */
export async function rememberedResults(tx: Tx, clientId: string, resent: readonly MutationEnvelope[]): Promise<MutationResult[]> {
  if (resent.length === 0) return [];
  const rows = await tx.rows<{ mutation_id: number; fingerprint: string; result: Omit<MutationResult, 'id'> }>(
    sql`SELECT mutation_id::float8 AS mutation_id, fingerprint, result FROM sync_outcome
        WHERE client_id = ${clientId} AND mutation_id BETWEEN ${resent[0]!.id} AND ${resent[resent.length - 1]!.id}`,
  );
  const byId = new Map(rows.map((r) => [r.mutation_id, r]));
  return resent.map((env, i) => {
    const known = byId.get(env.id);
    // No answer kept: the client acknowledged it already (so it cannot be resending it) or it
    // predates remembered outcomes. Either way this is not a resend the server can vouch for.
    if (known && known.fingerprint === mutationFingerprint(env)) return { id: env.id, ...known.result };
    // A discard of a change this server already answered: the change's own answer, marked too late.
    const discarded = env.name === NOOP_MUTATION ? NoopArgs.safeParse(env.args) : null;
    if (known && discarded?.success && known.fingerprint === mutationFingerprint(discarded.data.discards)) {
      return { id: env.id, ...known.result, discard: 'too_late' };
    }
    throw diverged(i, env.id);
  });
}

const diverged = (index: number, id: number) =>
  new DomainError(
    'client_diverged',
    `Mutation ${id} is not the change this server received under that number: this laptop's history went back (a restored backup, a copied data folder, or a power cut). It continues under a new identity and sends its changes again.`,
    { field: `mutations[${index}].id` },
  );

/** Keep the answers of the mutations just applied or refused (one statement for the whole push). */
export async function rememberResults(
  tx: Tx,
  clientId: string,
  envs: readonly MutationEnvelope[],
  results: readonly MutationResult[],
): Promise<void> {
  if (envs.length === 0) return;
  const byId = new Map(results.map((r) => [r.id, r]));
  const rows = envs.map((env) => {
    const { id, ...result } = byId.get(env.id)!;
    return { m: id, f: mutationFingerprint(env), r: result };
  });
  await tx.rows(
    sql`INSERT INTO sync_outcome (client_id, mutation_id, fingerprint, result)
        SELECT ${clientId}::uuid, x.m, x.f, x.r FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(m bigint, f text, r jsonb)`,
  );
}

/** The client has recorded every answer up to `ack`: they are not needed again. */
export async function forgetAcknowledged(tx: Tx, clientId: string, ack: number): Promise<void> {
  if (ack <= 0) return;
  await tx.rows(sql`DELETE FROM sync_outcome WHERE client_id = ${clientId} AND mutation_id <= ${ack}`);
}

/**
 * Answers never acknowledged (a laptop that was reset or retired) go after the retention
 * period; such a laptop, if it ever resends, is told client_diverged and sends its changes
 * again under a new identity, where each is judged afresh.
 */
export async function pruneOutcomes(db: Database, retentionDays: number): Promise<number> {
  return db.write(
    async (tx) => {
      const r = await tx.rows<{ n: number }>(
        sql`WITH d AS (DELETE FROM sync_outcome WHERE created_at <= now() - make_interval(secs => ${retentionDays * 86400}) RETURNING 1)
          SELECT count(*)::int AS n FROM d`,
      );
      return r[0]?.n ?? 0;
    },
    { lock: false },
  );
}
