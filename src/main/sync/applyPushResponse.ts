import type Database from 'better-sqlite3';
import type { PushResponse } from '../../shared/protocol.js';
import type { SyncTable } from '../../shared/rows.js';
import { recordRejection } from './conflicts.js';
import { rememberUnconfirmed } from './lostAnswers.js';
import { deleteEntry, type OutboxEntry } from './outbox.js';
import { rebase } from './rebase.js';

export interface PushOutcome {
  applied: number;
  rejected: number;
  tables: Set<SyncTable | 'outbox' | 'conflict'>;
}

/**
 * Process a push answer in ONE transaction. Applied and already-applied mutations stay in the
 * outbox until a pull brings their effect (then they are dropped, and their optimistic rows
 * replaced); the server's lastMutationId is recorded so they are not sent again. A rejection
 * becomes a conflict and its optimistic change is rolled back to the server's row.
 */
export function applyPushResponse(
  sqlite: Database.Database,
  sent: readonly OutboxEntry[],
  res: PushResponse,
  ctx: { now: Date; changedBy: string },
): PushOutcome {
  return sqlite.transaction((): PushOutcome => {
    const byId = new Map(sent.map((e) => [e.id, e]));
    const out: PushOutcome = { applied: 0, rejected: 0, tables: new Set(['outbox']) };
    for (const r of res.results) {
      const entry = byId.get(r.id);
      if (!entry) continue;
      if (r.status === 'rejected') {
        recordRejection(sqlite, entry, r, ctx.now);
        deleteEntry(sqlite, entry.id);
        out.rejected++;
        out.tables.add('conflict');
        out.tables.add(entry.name === 'action.record' ? 'user_action' : 'champion');
        out.tables.add('champion_stage_change');
        continue;
      }
      out.applied++;
      // `sent` was read before this send was counted: any attempt before it lost its answer.
      if (r.status === 'already_applied' && entry.attempts > 0) rememberUnconfirmed(sqlite, entry);
      if (r.deduplicatedTo && r.deduplicatedTo !== entry.args.id && typeof entry.args.id === 'string') {
        // The server already had this action under another id; the pull brings that row.
        sqlite.prepare('DELETE FROM user_action WHERE id = ?').run(entry.args.id);
        out.tables.add('user_action');
      }
    }
    const current = (sqlite.prepare('SELECT server_last_mutation_id AS n FROM sync_state WHERE id = 1').get() as { n: number }).n;
    sqlite.prepare('UPDATE sync_state SET server_last_mutation_id = ? WHERE id = 1').run(Math.max(current, res.lastMutationId));
    // A rollback may have uncovered state that later pending mutations change again.
    if (out.rejected > 0) {
      rebase(sqlite, ctx.changedBy);
      out.tables.add('user');
    }
    return out;
  }).immediate();
}
