import type Database from 'better-sqlite3';
import { NOOP_MUTATION } from '../../shared/mutations.js';
import type { PendingItem } from '../../shared/ipc.js';
import { entityOf } from './conflicts.js';
import { durably } from './durably.js';
import { readChampion } from './optimistic.js';
import { allPending, closeGaps, deleteEntry, isChange, wireForm, type OutboxEntry } from './outbox.js';
import { pendingStageChangeId } from './optimistic.js';
import { rebase } from './rebase.js';
import { baseChampionOwner } from './serverBase.js';
import { noteWrite } from './writtenTables.js';
import { readSyncState } from '../db/syncState.js';

// The coordinator's pending changes (the outbox), listed in plain words, and discarding one
// (docs/protocol.md, "Discarding a pending change"). A discard rolls the change's optimistic
// effect back the way a refusal does (rebase from the server's rows), and takes with it the
// later pending changes to the same card, which were made on top of it (a notes edit after a
// discarded one would carry the discarded text as its base). A change the server may already
// have received (sent, answer not heard) is not taken out of the numbering: it becomes a `noop`
// under the same id, so the server can answer "discarded" or "too late, it applied" and never
// takes the laptop for one whose history diverged. A change never sent is simply removed and the
// unsent changes after it renumbered (none of them was sent either: pushes send oldest first).

export class PendingError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
    readonly field = 'id',
  ) {
    super(message);
    this.name = 'PendingError';
  }
}

const STAGE_WORDS: Record<string, string> = { candidate: 'candidate', selected: 'selected', champion: 'champion', alumni: 'alumni' };

type ListedEntry = Exclude<OutboxEntry, { name: typeof NOOP_MUTATION }>;

/** A pending change in plain words. */
function describePending(e: ListedEntry): string {
  switch (e.name) {
    case 'champion.create':
      return 'Add as a candidate';
    case 'champion.move':
      return `Move to ${STAGE_WORDS[e.args.to] ?? e.args.to}`;
    case 'champion.setNotes':
      return e.args.notes ? 'Change the notes' : 'Clear the notes';
    case 'champion.setCohort':
      return e.args.cohortId ? 'Change the cohort' : 'Make the card global (no cohort)';
    case 'champion.remove':
      return 'Remove from the pipeline';
    case 'action.record':
      return `Record “${e.args.actionType.replace(/_/g, ' ')}”`;
    case 'unreadable':
      return 'A change this laptop can no longer read (the server will refuse it; you can discard it)';
  }
}

function memberOf(sqlite: Database.Database, e: ListedEntry): { id: string; name: string } | null {
  if (e.name === 'unreadable') return null;
  let userId = e.name === 'champion.create' || e.name === 'action.record' ? e.args.userId : null;
  if (!userId) userId = readChampion(sqlite, e.args.id)?.user_id ?? null;
  // A card already removed here (a pending remove): its base row still names the member.
  if (!userId) userId = baseChampionOwner(sqlite, e.args.id);
  if (!userId) return null;
  return (sqlite.prepare('SELECT id, name FROM user WHERE id = ?').get(userId) as { id: string; name: string } | undefined) ?? null;
}

const listed = (e: OutboxEntry): e is ListedEntry => e.name !== NOOP_MUTATION;

export function listPending(sqlite: Database.Database): PendingItem[] {
  const { heardMutationId } = readSyncState(sqlite);
  return allPending(sqlite)
    .filter(listed)
    .map((e) => ({
      id: e.id,
      what: describePending(e),
      member: memberOf(sqlite, e),
      createdAt: e.createdAt,
      state: e.id <= heardMutationId ? ('applied' as const) : e.attempts > 0 ? ('sent' as const) : ('waiting' as const),
    }));
}

/** Discard a pending change and the later ones to the same card; returns the ids discarded. */
export function discardPending(sqlite: Database.Database, id: number, ctx: { changedBy: string }): number[] {
  return durably(sqlite, () => {
    const pending = allPending(sqlite);
    const entry = pending.filter(listed).find((e) => e.id === id);
    if (!entry) throw new PendingError('not_found', 'id: this change is no longer pending (it was sent and applied, or discarded already).');
    const { heardMutationId } = readSyncState(sqlite);
    if (entry.id <= heardMutationId)
      throw new PendingError('conflict', 'id: the server has already applied this change; it shows here until the next sync brings it back.');
    // An unreadable change is about no card as far as this laptop can tell: it goes alone.
    const target = isChange(entry) ? entityOf(entry) : null;
    const onTop = pending.filter(isChange).filter((e) => {
      const other = entityOf(e);
      return e.id > entry.id && target?.id != null && target.table === 'champion' && other.table === 'champion' && other.id === target.id;
    });
    const discarded = [entry, ...onTop];
    noteWrite(sqlite, 'outbox', 'champion_stage_change');
    for (const e of discarded) {
      sqlite.prepare('DELETE FROM champion_stage_change WHERE id = ?').run(pendingStageChangeId(e.id));
      if (e.attempts > 0) {
        sqlite
          .prepare('UPDATE outbox SET name = ?, args = ? WHERE id = ?')
          .run(NOOP_MUTATION, JSON.stringify({ discards: { name: wireForm(e).name, args: wireForm(e).args } }), e.id);
      } else deleteEntry(sqlite, e.id);
    }
    // Ids above the last one the server may have seen are renumbered without gaps.
    const sent = allPending(sqlite).filter((e) => e.attempts > 0);
    const state = readSyncState(sqlite);
    closeGaps(sqlite, Math.max(state.heardMutationId, state.serverLastMutationId, ...sent.map((e) => e.id)));
    rebase(sqlite, ctx.changedBy);
    return discarded.map((e) => e.id);
  });
}
