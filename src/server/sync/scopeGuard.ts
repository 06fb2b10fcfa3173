import { sql } from 'drizzle-orm';
import type { MutationEnvelope } from '../../shared/mutations.js';
import { RowId } from '../../shared/rows.js';
import type { Tx } from '../db/database.js';
import { pullScope } from '../scopes.js';
import type { Outcome } from './applyMutation.js';

// A coordinator may change only members in their scope (issue 13): anything else is refused as
// `out_of_scope`, with `current: null` (the server's row of a member outside the scope is exactly
// what this coordinator must not receive). Checked under the writers' lock, in the push's
// transaction, against scope_member as it stands there.

export const OUT_OF_SCOPE: Outcome = {
  status: 'rejected',
  code: 'out_of_scope',
  message: 'This member is not in your communities, so the server did not apply this change.',
  current: null,
};

export class ScopeGuard {
  private constructor(private readonly coordinatorId: string | null) {}

  static async forPusher(tx: Tx, userId: string): Promise<ScopeGuard> {
    const scope = await pullScope(tx, userId);
    return new ScopeGuard(scope.kind === 'all' ? null : scope.coordinatorId);
  }

  /** Whether this mutation is about a member outside the pusher's scope. Unreadable args: no (invalid_args says why). */
  async refuses(tx: Tx, env: MutationEnvelope): Promise<boolean> {
    if (this.coordinatorId === null) return false;
    const args = (env.args ?? {}) as { userId?: unknown; id?: unknown };
    let member: string | null = null;
    if (env.name === 'champion.create' || env.name === 'action.record') {
      const u = RowId.safeParse(args.userId);
      member = u.success ? u.data : null;
    } else if (env.name.startsWith('champion.')) {
      const id = RowId.safeParse(args.id);
      if (!id.success) return false;
      const r = await tx.rows<{ user_id: string }>(sql`SELECT user_id FROM champion WHERE id = ${id.data}`);
      // No such card: not_found says so, and names no member.
      member = r[0]?.user_id ?? null;
    }
    if (member === null) return false;
    const held = await tx.rows(sql`SELECT 1 FROM scope_member WHERE coordinator_id = ${this.coordinatorId} AND member_id = ${member}`);
    return held.length === 0;
  }
}
