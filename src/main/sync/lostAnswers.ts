import type Database from 'better-sqlite3';
import type { MutationName } from '../../shared/mutations.js';
import type { OutboxEntry } from './outbox.js';
import { entityOf } from './conflicts.js';
import { readRow } from './wireRows.js';

// A push whose answer never arrived (connection cut, app killed) is sent again, and the server
// then says `already_applied` for every mutation in it, whether it applied or rejected them.
// Those are remembered here and checked after the next complete pull: a mutation whose effect
// is not on the server becomes a conflict, so a rejection lost in transit is still shown to
// the coordinator instead of vanishing.

const PREFIX = 'sync.unconfirmed:';

/** Remember an entry the server called already_applied although we never saw its first answer. */
export function rememberUnconfirmed(sqlite: Database.Database, e: OutboxEntry): void {
  sqlite
    .prepare('INSERT OR IGNORE INTO setting (key, value) VALUES (?, ?)')
    .run(`${PREFIX}${String(e.id).padStart(12, '0')}`, JSON.stringify({ id: e.id, name: e.name, args: e.args }));
}

/**
 * After a complete pull: check each remembered mutation up to the server's lastMutationId
 * against the pulled rows; record a conflict for those that left no trace. Call inside the
 * transaction that drops acknowledged outbox rows.
 */
export function checkUnconfirmed(sqlite: Database.Database, serverLastMutationId: number, now: Date): number {
  const rows = sqlite.prepare('SELECT key, value FROM setting WHERE key >= ? AND key < ?').all(PREFIX, PREFIX + '\uffff') as { key: string; value: string }[];
  let conflicts = 0;
  for (const r of rows) {
    const m = JSON.parse(r.value) as { id: number; name: MutationName; args: Record<string, unknown> };
    if (m.id > serverLastMutationId) continue;
    sqlite.prepare('DELETE FROM setting WHERE key = ?').run(r.key);
    if (leftATrace(sqlite, m.name, m.args)) continue;
    const entity = entityOf(m.name, m.args);
    const current = entity.id ? readRow(sqlite, entity.table === 'user_action' ? 'user_action' : 'champion', entity.id) : null;
    sqlite
      .prepare(
        `INSERT INTO conflict (mutation_id, name, args, code, message, current, entity_table, entity_id, created_at)
         VALUES (?, ?, ?, 'stale', ?, ?, ?, ?, ?)`,
      )
      .run(
        m.id,
        m.name,
        JSON.stringify(m.args),
        "The server did not keep this change: its answer was lost on the way, and the server's data does not show it (it was most likely refused because the row had changed).",
        current ? JSON.stringify(current) : null,
        entity.table,
        entity.id,
        now.toISOString(),
      );
    conflicts++;
  }
  return conflicts;
}

/**
 * Whether the server's rows show the mutation's effect. Moves are exact (the server stamps
 * the history row with the move's own time); notes and cohort compare the value, so a change
 * that applied and was then overwritten by someone else is not reported.
 */
function leftATrace(sqlite: Database.Database, name: MutationName, a: Record<string, unknown>): boolean {
  const id = String(a.id);
  switch (name) {
    case 'champion.create':
      return readRow(sqlite, 'champion', id) !== null || hasHistory(sqlite, id, null, 'candidate', null);
    case 'champion.move':
      return hasHistory(sqlite, id, String(a.from), String(a.to), String(a.at));
    case 'champion.remove':
      return readRow(sqlite, 'champion', id) === null;
    case 'action.record':
      return sqlite.prepare('SELECT 1 FROM user_action WHERE idempotency_key = ?').get(a.idempotencyKey) !== undefined;
    case 'champion.setNotes':
    case 'champion.setCohort':
      // A value someone else overwrote later cannot be told from one never applied; only a
      // row that is gone is certain.
      return readRow(sqlite, 'champion', id) !== null;
  }
}

function hasHistory(sqlite: Database.Database, championId: string, from: string | null, to: string, at: string | null): boolean {
  const rows = sqlite
    .prepare('SELECT from_stage, changed_at FROM champion_stage_change WHERE champion_id = ? AND to_stage = ? AND pending_mutation_id IS NULL')
    .all(championId, to) as { from_stage: string | null; changed_at: string }[];
  return rows.some((r) => r.from_stage === from && (at === null || Date.parse(r.changed_at) === Date.parse(at)));
}
