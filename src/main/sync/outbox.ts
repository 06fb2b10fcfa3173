import type Database from 'better-sqlite3';
import { parseMutation, type Mutation, type MutationArgs, type MutationName } from '../../shared/mutations.js';
import { readSyncState } from './syncState.js';

// The outbox: numbered mutations waiting for the server. Ids come from
// sync_state.next_mutation_id and are never reused, because the server requires each
// client's ids to rise by exactly one and treats any id it has seen as already applied.

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
  const id = Math.max(state.nextMutationId, state.serverLastMutationId + 1);
  sqlite.prepare('INSERT INTO outbox (id, name, args, created_at, attempts) VALUES (?, ?, ?, ?, 0)').run(id, name, JSON.stringify(args), now.toISOString());
  sqlite.prepare('UPDATE sync_state SET next_mutation_id = ? WHERE id = 1').run(id + 1);
  return id;
}

export function allPending(sqlite: Database.Database): OutboxEntry[] {
  return (sqlite.prepare('SELECT * FROM outbox ORDER BY id').all() as RawOutbox[]).map(toEntry);
}

/** Mutations the server has not acknowledged yet (id above its lastMutationId), oldest first. */
export function unacknowledged(sqlite: Database.Database, limit: number): OutboxEntry[] {
  const { serverLastMutationId } = readSyncState(sqlite);
  return (sqlite.prepare('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?').all(serverLastMutationId, limit) as RawOutbox[]).map(toEntry);
}

export function pendingCount(sqlite: Database.Database): number {
  return (sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
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
 * optimistic stage-change rows pointing at them). Used when the server's idea of this
 * client's last mutation id differs from ours: after `mutation_gap` (the server never saw
 * some ids we consider sent, e.g. its database was restored), or when the server has already
 * used ids we were about to send for the first time (the local database was restored or
 * copied). Either way, sending the same ids again would be refused forever or silently
 * treated as applied; renumbering keeps the coordinator's work and its order.
 */
export function renumberFrom(sqlite: Database.Database, fromId: number, start: number): void {
  const rows = sqlite.prepare('SELECT id FROM outbox WHERE id >= ? ORDER BY id').all(fromId) as { id: number }[];
  const mapping = rows.map((r, i) => ({ old: r.id, next: start + i }));
  // Two passes through negative ids so no new id collides with an old one mid-update.
  const toTemp = sqlite.prepare('UPDATE outbox SET id = ? WHERE id = ?');
  const cscTemp = sqlite.prepare('UPDATE champion_stage_change SET pending_mutation_id = ? WHERE pending_mutation_id = ?');
  for (const m of mapping) {
    toTemp.run(-m.next, m.old);
    cscTemp.run(-m.next, m.old);
  }
  sqlite.prepare('UPDATE outbox SET id = -id WHERE id < 0').run();
  sqlite.prepare('UPDATE champion_stage_change SET pending_mutation_id = -pending_mutation_id WHERE pending_mutation_id < 0').run();
  const last = mapping.length > 0 ? mapping[mapping.length - 1]!.next : start - 1;
  sqlite.prepare('UPDATE sync_state SET next_mutation_id = ?, server_last_mutation_id = ? WHERE id = 1').run(last + 1, start - 1);
}

/** An outbox entry as a typed mutation (entries were validated when written). */
export function toMutation(e: OutboxEntry): Mutation | null {
  const r = parseMutation({ id: e.id, name: e.name, args: e.args });
  return r.ok ? r.mutation : null;
}
