import type { MutationEnvelope } from '../../shared/mutations.js';
import { RowId } from '../../shared/rows.js';
import type { MutationResult } from '../../shared/protocol.js';
import type { Tx } from '../db/database.js';
import { wireRow } from '../db/storedWire.js';
import type { Outcome } from './applyMutation.js';

// What every refusal says about the row it names (docs/protocol.md, "no change lost"): the
// server's version of that row when it has one, `current: null` when it has none. A client
// may then drop its copy only when the server says the row is not there, never because a
// refusal happened to carry no row. For duplicate_champion, `current` stays the row that holds
// the slot (the coordinator is shown that one).

/** The row a mutation names, by table: champion mutations name a champion, action.record an action. */
function namedRow(env: MutationEnvelope): { table: 'champion' | 'user_action'; id: string } | null {
  const id = RowId.safeParse((env.args as { id?: unknown } | null)?.id);
  if (!id.success) return null;
  if (env.name.startsWith('champion.')) return { table: 'champion', id: id.data };
  if (env.name === 'action.record') return { table: 'user_action', id: id.data };
  return null;
}

/** Fill in `current` on a refusal that does not carry it yet. */
export async function withNamedRow<O extends Outcome>(tx: Tx, env: MutationEnvelope, out: O): Promise<O> {
  if (out.status !== 'rejected' || out.code === 'duplicate_champion' || (out.current !== undefined && out.current !== null)) return out;
  const named = namedRow(env);
  if (!named) return out;
  return { ...out, current: await wireRow(tx, named.table, named.id) };
}

/**
 * Rows with a refused change earlier in this push: a later change to the same row was made on
 * top of the refused one, so it must not apply on its own (docs/protocol.md, "dependants
 * wait"). It is refused as `blocked` and the client holds it until the coordinator decides.
 */
export class RefusedRows {
  private readonly ids = new Set<string>();

  note(env: MutationEnvelope, result: Pick<MutationResult, 'status'>): void {
    const named = namedRow(env);
    if (named?.table === 'champion' && result.status === 'rejected') this.ids.add(named.id);
  }

  blocks(env: MutationEnvelope): boolean {
    const named = namedRow(env);
    return named?.table === 'champion' && this.ids.has(named.id);
  }

  async blockedOutcome(tx: Tx, env: MutationEnvelope): Promise<Outcome> {
    const named = namedRow(env)!;
    return {
      status: 'rejected',
      code: 'blocked',
      message: 'Not applied: an earlier change to this card was refused, and this one was made on top of it. It waits for your decision on that one.',
      current: await wireRow(tx, 'champion', named.id),
    };
  }
}

/** For the bulk path's results (actions): the refusals' rows, looked up one by one (refusals are rare). */
export async function withNamedRows(tx: Tx, envs: readonly MutationEnvelope[], results: MutationResult[]): Promise<MutationResult[]> {
  const byId = new Map(envs.map((e) => [e.id, e]));
  const out: MutationResult[] = [];
  for (const r of results) {
    const env = byId.get(r.id);
    out.push(env && r.status === 'rejected' ? await withNamedRow(tx, env, r) : r);
  }
  return out;
}
