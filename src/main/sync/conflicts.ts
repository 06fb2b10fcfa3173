import type Database from 'better-sqlite3';
import { MutationNameSchema, type MutationName } from '../../shared/mutations.js';
import type { ConflictCode } from '../../shared/ipc.js';
import { ChampionRow, UserActionRow } from '../../shared/rows.js';
import type { MutationResult } from '../../shared/protocol.js';
import { wireForm, type OutboxMutation } from './outbox.js';
import { pendingStageChangeId } from './optimistic.js';
import { setBase } from './serverBase.js';
import { noteWrite } from './writtenTables.js';

// A refused mutation becomes a conflict record: the coordinator's intent (name, args with
// their text), the server's reason and the server's row, until they resolve it. The
// optimistic change is rolled back at the same time, to the server's row where the refusal
// carries it. Changes made on top of a refused one wait as conflicts of their own, linked to it
// (`blocked_by`), until the coordinator decides on it (docs/protocol.md, "dependants wait").

/** A change as stored (outbox.ts wireForm): what a conflict keeps. */
export interface StoredChange {
  id: number;
  name: string;
  args: unknown;
}

/** Which local row a change is about (by its stored form: an unreadable one may still name its row). */
export function entityOf(c: Pick<StoredChange, 'name' | 'args'>): { table: 'user_action' | 'champion'; id: string | null } {
  const raw = typeof c.args === 'object' && c.args !== null ? (c.args as { id?: unknown }).id : undefined;
  return { table: c.name === 'action.record' ? 'user_action' : 'champion', id: typeof raw === 'string' ? raw : null };
}

export interface ConflictRecord {
  code: ConflictCode;
  message: string;
  current: Record<string, unknown> | null;
  blockedBy: number | null;
}

/** Insert a conflict for an outbox entry (which the caller removes from the outbox); returns its id. */
export function insertConflict(sqlite: Database.Database, entry: StoredChange, c: ConflictRecord, now: Date): number {
  const entity = entityOf(entry);
  noteWrite(sqlite, 'conflict');
  return Number(
    sqlite
      .prepare(
        `INSERT INTO conflict (mutation_id, name, args, code, message, current, entity_table, entity_id, blocked_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.id,
        entry.name,
        JSON.stringify(entry.args),
        c.code,
        c.message,
        c.current ? JSON.stringify(c.current) : null,
        entity.table,
        entity.id,
        c.blockedBy,
        now.toISOString(),
      ).lastInsertRowid,
  );
}

/** Record the refusal and roll the optimistic change back. Call inside a transaction. Returns the conflict id. */
export function recordRejection(
  sqlite: Database.Database,
  entry: OutboxMutation,
  result: MutationResult,
  now: Date,
  blockedBy: number | null = null,
): number {
  const id = insertConflict(
    sqlite,
    wireForm(entry),
    {
      code: result.code ?? 'invalid_args',
      message: result.message ?? 'The server refused this change.',
      current: result.current ?? null,
      blockedBy,
    },
    now,
  );
  noteWrite(sqlite, 'champion_stage_change');
  sqlite.prepare('DELETE FROM champion_stage_change WHERE id = ?').run(pendingStageChangeId(entry.id));
  rollBack(sqlite, entry, result);
  return id;
}

/**
 * Make the server's row the base of the refused mutation's row; the rebase that follows
 * (applyPushResponse) puts it on screen and re-applies whatever is still pending. A local row
 * is dropped only when the server said it has no such row (not_found for a change to an
 * existing row): a refusal that carries no row leaves the base the last version the server
 * sent, never "gone" (a create's or an action's base is "absent" already, from when it was made).
 */
function rollBack(sqlite: Database.Database, entry: OutboxMutation, result: MutationResult): void {
  const entity = entityOf(wireForm(entry));
  if (!entity.id) return;
  const current = result.current ? (entity.table === 'champion' ? ChampionRow : UserActionRow).safeParse(result.current) : null;
  const row = current?.success ? current.data : null;
  if (row && row.id === entity.id) {
    setBase(sqlite, entity.table, entity.id, row);
  } else if (result.code === 'not_found' && result.current === null && entity.table === 'champion' && entry.name !== 'champion.create') {
    setBase(sqlite, 'champion', entity.id, null);
  }
  // For duplicate_champion, `current` is the row that holds the slot: show it as well.
  if (row && row.id !== entity.id && entity.table === 'champion') setBase(sqlite, 'champion', row.id, row as ChampionRow);
}

/** The open conflict on this row that later changes to it wait behind (the newest one not itself waiting). */
export function blockingConflictOn(sqlite: Database.Database, entityId: string): number | null {
  const r = sqlite
    .prepare('SELECT id FROM conflict WHERE entity_id = ? AND resolved_at IS NULL AND blocked_by IS NULL ORDER BY id DESC LIMIT 1')
    .get(entityId) as { id: number } | undefined;
  return r?.id ?? null;
}

interface RawConflict {
  id: number;
  mutation_id: number;
  name: string;
  args: string;
  code: string;
  message: string;
  current: string | null;
  entity_table: string | null;
  entity_id: string | null;
  blocked_by: number | null;
  created_at: string;
}

export interface StoredConflict {
  id: number;
  mutationId: number;
  name: MutationName;
  args: Record<string, unknown>;
  code: ConflictCode;
  message: string;
  current: Record<string, unknown> | null;
  entityTable: string | null;
  entityId: string | null;
  blockedBy: number | null;
  createdAt: string;
}

/** Stored JSON text as an object; anything else (an unreadable change's text kept as it was) as `{ stored }`. */
function objectOf(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { stored: v };
  } catch {
    return { stored: text };
  }
}

// A conflict can only be shown as a change the app knows (the IPC contract names it): one about an
// outbox row whose very name this release does not know (outbox.ts, UnreadableMutation) stays in
// the table, counted nowhere and listed nowhere, rather than breaking the list for every other.
const KNOWN = `name IN (${MutationNameSchema.options.map((n) => `'${n}'`).join(', ')})`;

const toStored = (r: RawConflict): StoredConflict => ({
  id: r.id,
  mutationId: r.mutation_id,
  name: MutationNameSchema.parse(r.name),
  args: objectOf(r.args),
  code: r.code as ConflictCode,
  message: r.message,
  current: r.current ? objectOf(r.current) : null,
  entityTable: r.entity_table,
  entityId: r.entity_id,
  blockedBy: r.blocked_by,
  createdAt: r.created_at,
});

/** Open conflicts, oldest first; a change waiting behind another (blockedBy) is listed too. */
export function listOpenConflicts(sqlite: Database.Database): StoredConflict[] {
  return (sqlite.prepare(`SELECT * FROM conflict WHERE resolved_at IS NULL AND ${KNOWN} ORDER BY id`).all() as RawConflict[]).map(toStored);
}

export function openConflictCount(sqlite: Database.Database): number {
  return (sqlite.prepare(`SELECT count(*) AS n FROM conflict WHERE resolved_at IS NULL AND ${KNOWN}`).get() as { n: number }).n;
}

export function getOpenConflict(sqlite: Database.Database, id: number): StoredConflict | undefined {
  const r = sqlite.prepare(`SELECT * FROM conflict WHERE id = ? AND resolved_at IS NULL AND ${KNOWN}`).get(id) as RawConflict | undefined;
  return r ? toStored(r) : undefined;
}

/** The open changes that wait behind conflict `id`, in the order they were made. */
export function waitingBehind(sqlite: Database.Database, id: number): StoredConflict[] {
  return (
    sqlite
      .prepare(`SELECT * FROM conflict WHERE blocked_by = ? AND resolved_at IS NULL AND ${KNOWN} ORDER BY mutation_id, id`)
      .all(id) as RawConflict[]
  ).map(toStored);
}

export function markResolved(sqlite: Database.Database, id: number, resolution: string, now: Date): void {
  noteWrite(sqlite, 'conflict');
  sqlite.prepare('UPDATE conflict SET resolved_at = ?, resolution = ? WHERE id = ?').run(now.toISOString(), resolution, id);
}

/** A waiting change becomes a conflict of its own (its blocker was resolved without sending it). */
export function stopWaiting(sqlite: Database.Database, id: number, message: string): void {
  noteWrite(sqlite, 'conflict');
  sqlite.prepare('UPDATE conflict SET blocked_by = NULL, message = ? WHERE id = ?').run(message, id);
}
