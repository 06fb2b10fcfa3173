import type Database from 'better-sqlite3';
import type { Change, PullResponse } from '../../shared/protocol.js';
import type { SyncTable } from '../../shared/rows.js';
import { basedRows, forgetBase, type BasedTable } from './serverBase.js';
import { isConstraintError } from './sqliteErrors.js';
import { setPullProgress } from './syncState.js';
import { prepareTableStatements, toLocalValues, type TableStatements } from './wireRows.js';

// Applies one pull page and its cursor in ONE transaction: a crash before the commit leaves
// the previous cursor (the page is fetched again), a crash after leaves the new one.

/**
 * A local row that blocks a pulled row on a secondary unique index is, by construction, stale:
 * either an optimistic row for a mutation the server answered differently (a manual action it
 * deduplicated, a champion it refused), or a server row whose own update arrives later in this
 * same pull (pages may order changes differently than the server committed them). Removing it
 * lets the server's row in; the rebase re-applies anything still pending.
 */
const COLLISION_DELETES: Partial<Record<SyncTable, { sql: string; params: (row: Record<string, unknown>) => unknown[] }[]>> = {
  user_action: [
    { sql: 'DELETE FROM user_action WHERE idempotency_key = ? AND id <> ?', params: (r) => [r.idempotency_key, r.id] },
    {
      sql: 'DELETE FROM user_action WHERE source_system = ? AND source_event_id = ? AND id <> ?',
      params: (r) => [r.source_system, r.source_event_id, r.id],
    },
  ],
  champion: [
    { sql: 'DELETE FROM champion WHERE user_id = ? AND cohort_id IS ? AND id <> ?', params: (r) => [r.user_id, r.cohort_id, r.id] },
  ],
};

export interface PageResult {
  rowsApplied: number;
  tables: Set<SyncTable>;
}

export class PullPageApplier {
  private readonly stmts: { [T in SyncTable]: TableStatements };
  private readonly collisions: Partial<Record<SyncTable, { stmt: Database.Statement; params: (row: Record<string, unknown>) => unknown[] }[]>> = {};
  private readonly applyTx: (page: PullResponse) => PageResult;

  constructor(private readonly sqlite: Database.Database) {
    this.stmts = prepareTableStatements(sqlite);
    for (const [table, list] of Object.entries(COLLISION_DELETES) as [SyncTable, NonNullable<(typeof COLLISION_DELETES)[SyncTable]>][]) {
      this.collisions[table] = list.map((c) => ({ stmt: sqlite.prepare(c.sql), params: c.params }));
    }
    this.applyTx = sqlite.transaction((page: PullResponse) => this.applyInner(page));
  }

  /** Apply the page's changes, then record its cursor and lastMutationId, atomically. */
  apply(page: PullResponse): PageResult {
    return this.applyTx(page);
  }

  private applyInner(page: PullResponse): PageResult {
    const tables = new Set<SyncTable>();
    // Rows with optimistic changes are few; the server's version of any of them replaces the remembered one.
    const based = basedRows(this.sqlite);
    for (const change of page.changes) {
      tables.add(change.table);
      this.applyChange(change);
      if (based.size > 0) {
        const key = `${change.table}:${change.op === 'upsert' ? change.row.id : change.id}`;
        if (based.has(key)) forgetBase(this.sqlite, change.table as BasedTable, key.slice(change.table.length + 1));
      }
    }
    setPullProgress(this.sqlite, { cursor: page.cursor, serverLastMutationId: page.lastMutationId, pullInProgress: page.hasMore });
    return { rowsApplied: page.changes.length, tables };
  }

  private applyChange(change: Change): void {
    const s = this.stmts[change.table];
    if (change.op === 'delete') {
      s.remove.run(change.id);
      if (change.table === 'champion') {
        // Optimistic history of a champion the server no longer has would otherwise linger.
        this.sqlite.prepare('DELETE FROM champion_stage_change WHERE champion_id = ? AND pending_mutation_id IS NOT NULL').run(change.id);
      }
      return;
    }
    const values = toLocalValues(change.table, change.row);
    try {
      s.upsert.run(values);
    } catch (e) {
      const fixes = this.collisions[change.table];
      if (!fixes || !isConstraintError(e)) throw e;
      const row = change.row as unknown as Record<string, unknown>;
      for (const f of fixes) f.stmt.run(f.params(row));
      s.upsert.run(values);
    }
  }
}
