import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

// The singleton sync_state row: everything sync progress depends on lives here (never only
// in memory), so a process killed at any instant resumes from what was last committed. This
// module alone reads and writes the table; every other module goes through these functions.

export interface SyncStateRow {
  clientId: string;
  cursor: string | null;
  nextMutationId: number;
  serverLastMutationId: number;
  lastSyncedAt: string | null;
  pullInProgress: boolean;
  /** The server database this state belongs to (null before any answer). */
  serverDatabaseId: string | null;
  /** Every mutation up to this id has its outcome recorded; the next push acknowledges it. */
  heardMutationId: number;
  clockOffsetMs: number;
  /** The server address before the last change of address (session.ts); null when it has not changed since the last sign-in. */
  previousServerUrl: string | null;
}

interface RawState {
  client_id: string;
  cursor: string | null;
  next_mutation_id: number;
  server_last_mutation_id: number;
  last_synced_at: string | null;
  pull_in_progress: number;
  server_database_id: string | null;
  heard_mutation_id: number;
  clock_offset_ms: number;
  /** Absent in a file migrated only up to an older release (tests open such files). */
  previous_server_url?: string | null;
}

/** Make the row (with a fresh clientId) if the file has none; names only columns every migration has had. */
export function ensureSyncState(sqlite: Database.Database): void {
  sqlite.prepare('INSERT INTO sync_state (id, client_id) VALUES (1, ?) ON CONFLICT(id) DO NOTHING').run(randomUUID());
}

/** The clientId, without making the row (a read-only connection may ask). */
export function readClientId(sqlite: Database.Database): string | null {
  const r = sqlite.prepare('SELECT client_id AS clientId FROM sync_state WHERE id = 1').get() as { clientId: string } | undefined;
  return r?.clientId ?? null;
}

/** Read the row, creating it (with a fresh clientId) if the database does not have one yet. */
export function readSyncState(sqlite: Database.Database): SyncStateRow {
  let raw = sqlite.prepare('SELECT * FROM sync_state WHERE id = 1').get() as RawState | undefined;
  if (!raw) {
    ensureSyncState(sqlite);
    raw = sqlite.prepare('SELECT * FROM sync_state WHERE id = 1').get() as RawState;
  }
  return {
    clientId: raw.client_id,
    cursor: raw.cursor,
    nextMutationId: raw.next_mutation_id,
    serverLastMutationId: raw.server_last_mutation_id,
    lastSyncedAt: raw.last_synced_at,
    pullInProgress: raw.pull_in_progress !== 0,
    serverDatabaseId: raw.server_database_id,
    heardMutationId: raw.heard_mutation_id,
    clockOffsetMs: raw.clock_offset_ms,
    previousServerUrl: raw.previous_server_url ?? null,
  };
}

export function setPullProgress(
  sqlite: Database.Database,
  p: { cursor: string | null; serverLastMutationId?: number; pullInProgress: boolean },
): void {
  if (p.serverLastMutationId === undefined) {
    sqlite.prepare('UPDATE sync_state SET cursor = ?, pull_in_progress = ? WHERE id = 1').run(p.cursor, p.pullInProgress ? 1 : 0);
  } else {
    sqlite
      .prepare('UPDATE sync_state SET cursor = ?, pull_in_progress = ?, server_last_mutation_id = ? WHERE id = 1')
      .run(p.cursor, p.pullInProgress ? 1 : 0, p.serverLastMutationId);
  }
}

export function setServerLastMutationId(sqlite: Database.Database, id: number): void {
  sqlite.prepare('UPDATE sync_state SET server_last_mutation_id = ? WHERE id = 1').run(id);
}

export function setHeardMutationId(sqlite: Database.Database, id: number): void {
  sqlite.prepare('UPDATE sync_state SET heard_mutation_id = ? WHERE id = 1').run(id);
}

export function setLastSyncedAt(sqlite: Database.Database, at: string): void {
  sqlite.prepare('UPDATE sync_state SET last_synced_at = ?, pull_in_progress = 0 WHERE id = 1').run(at);
}

export function setClockOffset(sqlite: Database.Database, ms: number): void {
  sqlite.prepare('UPDATE sync_state SET clock_offset_ms = ? WHERE id = 1').run(Math.round(ms));
}

/** The first answer from a server binds this state to its database (see serverBinding.ts for a different one). */
export function bindDatabaseIfUnset(sqlite: Database.Database, databaseId: string): void {
  sqlite.prepare('UPDATE sync_state SET server_database_id = ? WHERE id = 1 AND server_database_id IS NULL').run(databaseId);
}

/** Bind to another server's database (serverBinding.ts): a new identity, nothing pulled, nothing sent. */
export function startOverForDatabase(sqlite: Database.Database, databaseId: string): void {
  sqlite
    .prepare(
      `UPDATE sync_state SET client_id = ?, cursor = NULL, pull_in_progress = 1, next_mutation_id = 1, server_last_mutation_id = 0,
       heard_mutation_id = 0, last_synced_at = NULL, server_database_id = ? WHERE id = 1`,
    )
    .run(randomUUID(), databaseId);
}

/** Data synced before protocol 2 is taken to belong to this database (serverBinding.ts). */
export function bindDatabase(sqlite: Database.Database, databaseId: string): void {
  sqlite.prepare('UPDATE sync_state SET server_database_id = ? WHERE id = 1').run(databaseId);
}

export function setNextMutationId(sqlite: Database.Database, id: number): void {
  sqlite.prepare('UPDATE sync_state SET next_mutation_id = ? WHERE id = 1').run(id);
}

/** After renumbering the outbox for a server that lost ids (outbox.ts): every id below `start` counts as heard. */
export function setMutationIds(sqlite: Database.Database, ids: { next: number; serverLast: number; heard: number }): void {
  sqlite
    .prepare('UPDATE sync_state SET next_mutation_id = ?, server_last_mutation_id = ?, heard_mutation_id = ? WHERE id = 1')
    .run(ids.next, ids.serverLast, ids.heard);
}

/** Continue as a new client (outbox.ts startOver); returns the new clientId. */
export function newClientIdentity(sqlite: Database.Database, nextMutationId: number): string {
  const clientId = randomUUID();
  sqlite
    .prepare('UPDATE sync_state SET client_id = ?, next_mutation_id = ?, server_last_mutation_id = 0, heard_mutation_id = 0 WHERE id = 1')
    .run(clientId, nextMutationId);
  return clientId;
}

export function setPreviousServerUrl(sqlite: Database.Database, url: string | null): void {
  ensureSyncState(sqlite);
  sqlite.prepare('UPDATE sync_state SET previous_server_url = ? WHERE id = 1').run(url);
}
