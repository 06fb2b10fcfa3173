import type Database from 'better-sqlite3';
import type { MutationName } from '../../shared/mutations.js';
import type { ConflictItem } from '../../shared/ipc.js';
import { ChampionRow } from '../../shared/rows.js';
import type { MutationResult } from '../../shared/protocol.js';
import type { OutboxEntry } from './outbox.js';
import { pendingStageChangeId } from './optimistic.js';
import { setBase } from './serverBase.js';

// A rejected mutation becomes a conflict record: the coordinator's intent (name, args with
// their text), the server's reason and the server's row, until they resolve it. The
// optimistic change is rolled back to the server's row at the same time.

/** Which local row a mutation is about. */
export function entityOf(name: MutationName, args: Record<string, unknown>): { table: string; id: string | null } {
  const id = typeof args.id === 'string' ? args.id : null;
  return { table: name === 'action.record' ? 'user_action' : 'champion', id };
}

/** Record the rejection and roll the optimistic change back. Call inside a transaction. */
export function recordRejection(sqlite: Database.Database, entry: OutboxEntry, result: MutationResult, now: Date): void {
  const entity = entityOf(entry.name, entry.args);
  sqlite
    .prepare(
      `INSERT INTO conflict (mutation_id, name, args, code, message, current, entity_table, entity_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      entry.id,
      entry.name,
      JSON.stringify(entry.args),
      result.code ?? 'invalid_args',
      result.message ?? 'The server refused this change.',
      result.current ? JSON.stringify(result.current) : null,
      entity.table,
      entity.id,
      now.toISOString(),
    );
  sqlite.prepare('DELETE FROM champion_stage_change WHERE id = ?').run(pendingStageChangeId(entry.id));
  rollBack(sqlite, entry, result);
}

/**
 * Make the server's row the base of the rejected mutation's row; the rebase that follows
 * (applyPushResponse) puts it on screen and re-applies whatever is still pending.
 */
function rollBack(sqlite: Database.Database, entry: OutboxEntry, result: MutationResult): void {
  const id = typeof entry.args.id === 'string' ? entry.args.id : null;
  if (!id) return;
  if (entry.name === 'action.record') {
    // The server never stored this action under this id; a pull brings whatever it has.
    setBase(sqlite, 'user_action', id, null);
    return;
  }
  const current = result.current ? ChampionRow.safeParse(result.current) : null;
  const row = current?.success ? current.data : null;
  if (row && row.id === id) {
    setBase(sqlite, 'champion', id, row);
    return;
  }
  // The row we showed does not exist on the server (a refused create, or gone).
  setBase(sqlite, 'champion', id, null);
  // For duplicate_champion, `current` is the row that holds the slot: show it instead.
  if (row) setBase(sqlite, 'champion', row.id, row);
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
  created_at: string;
}

export function listOpenConflicts(sqlite: Database.Database): ConflictItem[] {
  const rows = sqlite.prepare('SELECT * FROM conflict WHERE resolved_at IS NULL ORDER BY id').all() as RawConflict[];
  return rows.map((r) => ({
    id: r.id,
    mutationId: r.mutation_id,
    name: r.name as ConflictItem['name'],
    args: JSON.parse(r.args) as Record<string, unknown>,
    code: r.code as ConflictItem['code'],
    message: r.message,
    current: r.current ? (JSON.parse(r.current) as Record<string, unknown>) : null,
    entityTable: r.entity_table,
    entityId: r.entity_id,
    createdAt: r.created_at,
  }));
}

export function openConflictCount(sqlite: Database.Database): number {
  return (sqlite.prepare('SELECT count(*) AS n FROM conflict WHERE resolved_at IS NULL').get() as { n: number }).n;
}

export function getOpenConflict(sqlite: Database.Database, id: number): ConflictItem | undefined {
  return listOpenConflicts(sqlite).find((c) => c.id === id);
}

export function markResolved(sqlite: Database.Database, id: number, resolution: string, now: Date): void {
  sqlite.prepare('UPDATE conflict SET resolved_at = ?, resolution = ? WHERE id = ?').run(now.toISOString(), resolution, id);
}
