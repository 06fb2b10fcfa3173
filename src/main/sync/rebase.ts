import type Database from 'better-sqlite3';
import { allPending, isChange } from './outbox.js';
import { applyOptimistic } from './optimistic.js';
import { restoreBases } from './serverBase.js';
import { noteWrite } from './writtenTables.js';

/**
 * Put the still-pending mutations back on top of the server's rows. Call inside a
 * transaction, after the outbox rows the server has already applied were dropped.
 * Optimistic stage-change rows are removed first (the server's rows replace them), every
 * row an optimistic change touched is put back to the server's version (serverBase.ts), then
 * every pending mutation's effect is applied again in order.
 */
export function rebase(sqlite: Database.Database, fallbackChangedBy: string): void {
  // Keep who/when of each optimistic history row: the re-applied row should say the same.
  const prior = new Map<number, { changed_by: string }>();
  for (const r of sqlite
    .prepare('SELECT pending_mutation_id AS m, changed_by FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL')
    .all() as { m: number; changed_by: string }[]) {
    prior.set(r.m, { changed_by: r.changed_by });
  }
  noteWrite(sqlite, 'champion_stage_change');
  sqlite.prepare('DELETE FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL').run();
  restoreBases(sqlite);
  // A discard on its way out and an unreadable row have no effect to show.
  for (const entry of allPending(sqlite).filter(isChange)) {
    applyOptimistic(sqlite, entry, { changedBy: prior.get(entry.id)?.changed_by ?? fallbackChangedBy, createdAt: entry.createdAt });
  }
}
