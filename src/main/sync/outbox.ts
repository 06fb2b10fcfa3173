import type Database from 'better-sqlite3';
import {
  MutationEnvelope,
  NOOP_MUTATION,
  NoopArgs,
  parseMutation,
  type Mutation,
  type MutationArgs,
  type MutationName,
} from '../../shared/mutations.js';
import { newClientIdentity, readSyncState, setMutationIds, setNextMutationId } from '../db/syncState.js';
import { utf8Length } from '../../shared/storable.js';
import { noteWrite } from './writtenTables.js';

// The outbox: numbered mutations waiting for the server. Ids come from
// sync_state.next_mutation_id and rise by exactly one, as the server requires. An id is never
// reused for another change while this history lasts: the server would take it for a resend
// of the first (it tells them apart by fingerprint and then answers client_diverged, after
// which this laptop starts over under a new identity: startOver below).

/** A discarded change on its way out (pending.ts), sent under the discarded change's id. */
type NoopMutation = { id: number; name: typeof NOOP_MUTATION; args: NoopArgs };

/**
 * A row that no longer reads as a mutation (damaged, or written under rules this release does not
 * accept). Dropping it would leave a hole in the ids the server needs consecutive, so it is sent
 * as stored: the server refuses it (`invalid_args`, its id consumed) and the refusal becomes a
 * conflict that keeps its text, like any refused change. Until then it has no optimistic effect,
 * and the coordinator sees it among the pending changes and can discard it.
 */
type UnreadableMutation = { id: number; name: 'unreadable'; stored: { name: string; args: unknown }; problem: string };

export type OutboxMutation = Mutation | NoopMutation | UnreadableMutation;

/** An outbox row, parsed once when read. */
export type OutboxEntry = OutboxMutation & { createdAt: string; attempts: number };

interface RawOutbox {
  id: number;
  name: string;
  args: string;
  created_at: string;
  attempts: number;
}

/** The longest name a push envelope takes: an unreadable row's name is cut to it, or the whole push would be refused. */
const ENVELOPE_NAME_MAX = MutationEnvelope.shape.name.maxLength ?? 100;

function parseRow(r: RawOutbox): OutboxMutation {
  let args: unknown;
  try {
    args = JSON.parse(r.args) as unknown;
  } catch {
    return { id: r.id, name: 'unreadable', stored: { name: r.name, args: r.args }, problem: 'args: not JSON' };
  }
  if (r.name === NOOP_MUTATION) {
    const noop = NoopArgs.safeParse(args);
    if (noop.success) return { id: r.id, name: NOOP_MUTATION, args: noop.data };
    return { id: r.id, name: 'unreadable', stored: { name: r.name, args }, problem: 'args: not a discard' };
  }
  const parsed = parseMutation({ id: r.id, name: r.name, args });
  return parsed.ok ? parsed.mutation : { id: r.id, name: 'unreadable', stored: { name: r.name, args }, problem: parsed.message };
}

const toEntry = (r: RawOutbox): OutboxEntry => ({ ...parseRow(r), createdAt: r.created_at, attempts: r.attempts });

/** An entry as stored and as sent: its name and args as written. */
export function wireForm(e: OutboxMutation): { id: number; name: string; args: unknown } {
  if (e.name === 'unreadable') return { id: e.id, name: e.stored.name.slice(0, ENVELOPE_NAME_MAX), args: e.stored.args };
  return { id: e.id, name: e.name, args: e.args };
}

/** A change the coordinator made (not a discard on its way out, not an unreadable row): it has an effect on screen. */
export function isChange(e: OutboxEntry): e is Mutation & { createdAt: string; attempts: number } {
  return e.name !== NOOP_MUTATION && e.name !== 'unreadable';
}

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
  noteWrite(sqlite, 'outbox');
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
export function entryBytes(e: OutboxMutation): number {
  return utf8Length(JSON.stringify(wireForm(e)));
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
  noteWrite(sqlite, 'outbox');
  sqlite.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id BETWEEN ? AND ?').run(ids[0], ids[ids.length - 1]);
}

export function deleteEntry(sqlite: Database.Database, id: number): void {
  noteWrite(sqlite, 'outbox');
  sqlite.prepare('DELETE FROM outbox WHERE id = ?').run(id);
}

/** After a full pull: everything up to the server's lastMutationId is reflected in the pulled rows. */
export function dropAcknowledged(sqlite: Database.Database, serverLastMutationId: number): number {
  noteWrite(sqlite, 'outbox');
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
  noteWrite(sqlite, 'outbox', 'champion_stage_change');
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
  noteWrite(sqlite, 'outbox', 'champion_stage_change');
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
