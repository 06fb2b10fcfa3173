import type Database from 'better-sqlite3';
import { parseMutation, type Mutation, type MutationArgs, type MutationName } from '../../shared/mutations.js';
import { newClientIdentity, readSyncState, setMutationIds, setNextMutationId } from '../db/syncState.js';
import { utf8Length } from '../../shared/storable.js';

// The outbox: numbered mutations waiting for the server. Ids come from
// sync_state.next_mutation_id and rise by exactly one, as the server requires. An id is never
// reused for another change while this history lasts: the server would take it for a resend
// of the first (it tells them apart by fingerprint and then answers client_diverged, after
// which this laptop starts over under a new identity: startOver below).

export interface OutboxEntry {
  id: number;
  name: MutationName;
  args: Record<string, unknown>;
  createdAt: string;
  attempts: number;
}

interface RawOutbox {
  id: number;
  name: string;
  args: string;
  created_at: string;
  attempts: number;
}

const toEntry = (r: RawOutbox): OutboxEntry => ({
  id: r.id,
  name: r.name as MutationName,
  args: JSON.parse(r.args) as Record<string, unknown>,
  createdAt: r.created_at,
  attempts: r.attempts,
});

/** Append a mutation; call inside the transaction that also writes its optimistic effect. */
export function enqueue<N extends MutationName>(sqlite: Database.Database, name: N, args: MutationArgs[N], now: Date): number {
  const state = readSyncState(sqlite);
  // Never hand out an id the server already knows: it would answer already_applied and
  // the mutation would be silently lost.
  const id = Math.max(state.nextMutationId, state.serverLastMutationId + 1, state.heardMutationId + 1);
  sqlite
    .prepare('INSERT INTO outbox (id, name, args, created_at, attempts) VALUES (?, ?, ?, ?, 0)')
    .run(id, name, JSON.stringify(args), now.toISOString());
  setNextMutationId(sqlite, id + 1);
  return id;
}

export function allPending(sqlite: Database.Database): OutboxEntry[] {
  return (sqlite.prepare('SELECT * FROM outbox ORDER BY id').all() as RawOutbox[]).map(toEntry);
}

/**
 * Mutations whose answer has not been heard yet, oldest first: never sent, or sent and the
 * answer lost (a resend gets the server's remembered answer).
 */
export function unacknowledged(sqlite: Database.Database, limit: number): OutboxEntry[] {
  const { heardMutationId } = readSyncState(sqlite);
  return (sqlite.prepare('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?').all(heardMutationId, limit) as RawOutbox[]).map(toEntry);
}

/** An entry's size in a push body: its JSON's UTF-8 bytes. */
export function entryBytes(e: Pick<OutboxEntry, 'id' | 'name' | 'args'>): number {
  return utf8Length(JSON.stringify({ id: e.id, name: e.name, args: e.args }));
}

/**
 * The next push: unacknowledged entries, oldest first, at most `maxCount` and at most
 * `maxBytes` of mutation JSON (always at least one entry, however large: the caller decides
 * what to do with one that alone is too large).
 */
export function pushBatch(sqlite: Database.Database, maxCount: number, maxBytes: number): OutboxEntry[] {
  const all = unacknowledged(sqlite, maxCount);
  let bytes = 0;
  for (let i = 0; i < all.length; i++) {
    bytes += entryBytes(all[i]!);
    if (bytes > maxBytes && i > 0) return all.slice(0, i);
  }
  return all;
}

/** Pending entries that change one champion row, in order, from `afterId` on. */
export function pendingForChampion(sqlite: Database.Database, championId: string, afterId: number): OutboxEntry[] {
  return (
    sqlite
      .prepare("SELECT * FROM outbox WHERE id > ? AND name LIKE 'champion.%' AND json_extract(args, '$.id') = ? ORDER BY id")
      .all(afterId, championId) as RawOutbox[]
  ).map(toEntry);
}

/** Changes the coordinator still has pending (a discarded change on its way out as a `noop` is not one). */
export function pendingCount(sqlite: Database.Database): number {
  return (sqlite.prepare("SELECT count(*) AS n FROM outbox WHERE name <> 'noop'").get() as { n: number }).n;
}

export function markAttempted(sqlite: Database.Database, ids: readonly number[]): void {
  if (ids.length === 0) return;
  sqlite.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id BETWEEN ? AND ?').run(ids[0], ids[ids.length - 1]);
}

export function deleteEntry(sqlite: Database.Database, id: number): void {
  sqlite.prepare('DELETE FROM outbox WHERE id = ?').run(id);
}

/** After a full pull: everything up to the server's lastMutationId is reflected in the pulled rows. */
export function dropAcknowledged(sqlite: Database.Database, serverLastMutationId: number): number {
  return sqlite.prepare('DELETE FROM outbox WHERE id <= ?').run(serverLastMutationId).changes;
}

/**
 * Give the unacknowledged mutations consecutive ids starting at `start` (and keep the
 * optimistic stage-change rows pointing at them). Used after `mutation_gap`: the server never
 * saw some ids we consider sent (its database was restored), so they are sent again under the
 * ids it expects; renumbering keeps the coordinator's work and its order.
 */
export function renumberFrom(sqlite: Database.Database, fromId: number, start: number): void {
  const last = moveIds(sqlite, fromId, start);
  setMutationIds(sqlite, { next: last + 1, serverLast: start - 1, heard: start - 1 });
}

/**
 * Entries above `afterId` that the server has never seen get consecutive ids again, after some
 * were taken out of the middle (held behind a refusal): the server needs no gap in the ids.
 */
export function closeGaps(sqlite: Database.Database, afterId: number): void {
  const last = moveIds(sqlite, afterId + 1, afterId + 1);
  setNextMutationId(sqlite, last + 1);
}

/** closeGaps above the last answer heard: no entry there was sent with its answer still unheard. */
export function closeUnheardGaps(sqlite: Database.Database): void {
  closeGaps(sqlite, readSyncState(sqlite).heardMutationId);
}

/**
 * This laptop's history diverged from what the server saw under its clientId (a restored
 * backup, a copied data folder, a power cut that rolled the outbox back): continue as a new
 * client. Entries whose answers were heard are done (the pull brings their effect); every other
 * pending change keeps its order under ids from 1. Returns the new clientId.
 */
export function startOver(sqlite: Database.Database): string {
  const { heardMutationId } = readSyncState(sqlite);
  sqlite.prepare('DELETE FROM champion_stage_change WHERE pending_mutation_id <= ?').run(heardMutationId);
  sqlite.prepare('DELETE FROM outbox WHERE id <= ?').run(heardMutationId);
  const last = moveIds(sqlite, heardMutationId + 1, 1);
  return newClientIdentity(sqlite, last + 1);
}

/** Renumber entries with id >= fromId to start, start+1, …; returns the last new id (start - 1 if none). */
function moveIds(sqlite: Database.Database, fromId: number, start: number): number {
  const rows = sqlite.prepare('SELECT id FROM outbox WHERE id >= ? ORDER BY id').all(fromId) as { id: number }[];
  const mapping = rows.map((r, i) => ({ old: r.id, next: start + i }));
  if (mapping.every((m) => m.old === m.next)) return mapping.length > 0 ? mapping[mapping.length - 1]!.next : start - 1;
  // Two passes through negative ids so no new id collides with an old one mid-update.
  const toTemp = sqlite.prepare('UPDATE outbox SET id = ? WHERE id = ?');
  const cscTemp = sqlite.prepare('UPDATE champion_stage_change SET pending_mutation_id = ? WHERE pending_mutation_id = ?');
  for (const m of mapping) {
    toTemp.run(-m.next, m.old);
    cscTemp.run(-m.next, m.old);
  }
  sqlite.prepare('UPDATE outbox SET id = -id WHERE id < 0').run();
  sqlite.prepare('UPDATE champion_stage_change SET pending_mutation_id = -pending_mutation_id WHERE pending_mutation_id < 0').run();
  // An optimistic history row's id names its mutation (pendingStageChangeId): rename it too, or
  // a later mutation given the old number would write over it.
  sqlite.prepare("UPDATE champion_stage_change SET id = 'csc_renumbering_' || id WHERE pending_mutation_id IS NOT NULL").run();
  sqlite.prepare("UPDATE champion_stage_change SET id = 'csc_pending_' || pending_mutation_id WHERE pending_mutation_id IS NOT NULL").run();
  return mapping.length > 0 ? mapping[mapping.length - 1]!.next : start - 1;
}

/** An outbox entry as a typed mutation (entries were validated when written). */
export function toMutation(e: OutboxEntry): Mutation | null {
  const r = parseMutation({ id: e.id, name: e.name, args: e.args });
  return r.ok ? r.mutation : null;
}
