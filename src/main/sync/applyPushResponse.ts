import type Database from 'better-sqlite3';
import type { PushResponse } from '../../shared/protocol.js';
import { NOOP_MUTATION } from '../../shared/mutations.js';
import type { DataTable } from '../../shared/rows.js';
import { blockingConflictOn, entityOf, insertConflict, recordRejection } from './conflicts.js';
import { durably } from './durably.js';
import { pendingStageChangeId } from './optimistic.js';
import { closeGaps, deleteEntry, pendingForChampion, wireForm, type OutboxEntry } from './outbox.js';
import { rebase } from './rebase.js';
import { collectWrites, noteWrite } from './writtenTables.js';
import { bindDatabaseIfUnset, readSyncState, setClockOffset, setHeardMutationId, setServerLastMutationId } from '../db/syncState.js';

export interface PushOutcome {
  applied: number;
  rejected: number;
  /** The tables the answer's processing wrote (writtenTables.ts): what the screens must re-read. */
  tables: DataTable[];
}

const DISCARD_TOO_LATE_MESSAGE = 'The discard came too late: the change was already applied on the server.';

const WAITING_MESSAGE =
  'Not sent: it was made on top of an earlier change to this card that the server refused. It waits for your decision on that one.';

/**
 * Process a push answer in ONE transaction. Applied mutations stay in the outbox until a pull
 * brings their effect (then they are dropped, and their optimistic rows replaced). A refusal
 * becomes a conflict and its optimistic change is rolled back to the server's row; changes to
 * the same row made after it wait as conflicts linked to it (docs/protocol.md, "dependants
 * wait"): the server refused those it received in the same push as `blocked`, and those it has
 * not seen yet are taken out of the outbox here, the rest renumbered so the ids stay consecutive.
 * Every answer is then "heard": the next push acknowledges it.
 */
export function applyPushResponse(
  sqlite: Database.Database,
  sent: readonly OutboxEntry[],
  res: PushResponse,
  ctx: { now: Date; changedBy: string },
): PushOutcome {
  // Durable: the next request acknowledges these answers and the server then forgets them.
  const { result, tables } = collectWrites(sqlite, () => durably(sqlite, () => record(sqlite, sent, res, ctx)));
  return { ...result, tables };
}

function record(
  sqlite: Database.Database,
  sent: readonly OutboxEntry[],
  res: PushResponse,
  ctx: { now: Date; changedBy: string },
): Omit<PushOutcome, 'tables'> {
  const byId = new Map(sent.map((e) => [e.id, e]));
  const out = { applied: 0, rejected: 0 };
  // Champion rows refused in this answer: the conflict later changes to them wait behind.
  const refusedRows = new Map<string, { conflictId: number; current: Record<string, unknown> | null }>();
  let lastAnswered = 0;
  for (const r of res.results) {
    const entry = byId.get(r.id);
    if (!entry) continue;
    lastAnswered = Math.max(lastAnswered, r.id);
    if (entry.name === NOOP_MUTATION) {
      // A discard (pending.ts). Too late: the change had applied, and the coordinator is told.
      if (r.discard === 'too_late' && r.status === 'applied') {
        insertConflict(
          sqlite,
          { id: entry.id, ...entry.args.discards },
          { code: 'discard_too_late', message: DISCARD_TOO_LATE_MESSAGE, current: r.current ?? null, blockedBy: null },
          ctx.now,
        );
      }
      // A refused original leaves nothing to wait for; otherwise the
      // entry stays, like any applied one, until the pull that covers it.
      if (r.status === 'rejected') deleteEntry(sqlite, entry.id);
      else out.applied++;
      continue;
    }
    if (r.status === 'rejected') {
      const entity = entityOf(wireForm(entry));
      const waitsBehind =
        r.code === 'blocked' && entity.id ? (refusedRows.get(entity.id)?.conflictId ?? blockingConflictOn(sqlite, entity.id)) : null;
      const conflictId = recordRejection(sqlite, entry, r, ctx.now, waitsBehind);
      if (entity.table === 'champion' && entity.id && waitsBehind === null && !refusedRows.has(entity.id)) {
        refusedRows.set(entity.id, { conflictId, current: r.current ?? null });
      }
      deleteEntry(sqlite, entry.id);
      out.rejected++;
      continue;
    }
    out.applied++;
    if (entry.name === 'action.record' && r.deduplicatedTo && r.deduplicatedTo !== entry.args.id) {
      // The server already had this action under another id; the pull brings that row.
      noteWrite(sqlite, 'user_action');
      sqlite.prepare('DELETE FROM user_action WHERE id = ?').run(entry.args.id);
    }
  }
  let held = 0;
  for (const [championId, refusal] of refusedRows) {
    for (const e of pendingForChampion(sqlite, championId, res.lastMutationId)) {
      insertConflict(
        sqlite,
        wireForm(e),
        { code: 'blocked', message: WAITING_MESSAGE, current: refusal.current, blockedBy: refusal.conflictId },
        ctx.now,
      );
      noteWrite(sqlite, 'champion_stage_change');
      sqlite.prepare('DELETE FROM champion_stage_change WHERE id = ?').run(pendingStageChangeId(e.id));
      deleteEntry(sqlite, e.id);
      held++;
    }
  }
  if (held > 0) closeGaps(sqlite, res.lastMutationId);
  // Every answered entry now reads as "applied" or is gone: the pending list changes with it.
  noteWrite(sqlite, 'outbox');
  setHeardMutationId(sqlite, Math.max(readSyncState(sqlite).heardMutationId, lastAnswered));
  setServerLastMutationId(sqlite, res.lastMutationId);
  bindDatabaseIfUnset(sqlite, res.databaseId);
  const serverTime = Date.parse(res.serverTime);
  if (Number.isFinite(serverTime)) setClockOffset(sqlite, serverTime - ctx.now.getTime());
  // A rollback may have uncovered state that later pending mutations change again.
  if (out.rejected > 0 || held > 0) rebase(sqlite, ctx.changedBy);
  return out;
}
