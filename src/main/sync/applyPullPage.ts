import type Database from 'better-sqlite3';
import { acceptsChange } from '../../shared/model/acceptsChange.js';
import { Change, type PullEnvelope, type PullResponse } from '../../shared/protocol.js';
import type { DataTable, SyncTable } from '../../shared/rows.js';
import { collectWrites, noteWrite } from './writtenTables.js';
import { basedRows, forgetBase, type BasedTable } from './serverBase.js';
import { FORGET_OPTIMISTIC_HISTORY_SQL } from './optimistic.js';
import { catchUpMemberSearch } from './bulkLoad.js';
import { CLEAR_CHAMPION_SLOT_SQL, slotParams } from './championSlot.js';
import { isConstraintError } from './sqliteErrors.js';
import { clearGoneChampions, forgetMember, noteGoneChampion } from './forgetMember.js';
import { evictMember, forgetLeftNotice } from './scopeEviction.js';
import { setPullProgress } from '../db/syncState.js';
import { prepareTableStatements, toLocalValues, type TableStatements } from './wireRows.js';
import { applyReason, changeKey, decodeReason, isRowFailure, PullQuarantine } from './pullQuarantine.js';

const MEMBER_TABLES: readonly SyncTable[] = ['user', 'enrollment', 'user_action', 'champion', 'champion_stage_change'];

// Applies pull pages. `apply` writes a whole, already-checked page and its cursor in one
// transaction (tests, the bench floor). On the main thread the engine uses `applyInSlices`: the
// page is validated and written in slices of ~25 ms, each its own transaction, with the event
// loop free between them, and the cursor (with the server's lastMutationId) is written in the
// same transaction as the page's last change. A crash between slices leaves the old cursor, so
// the page is fetched and applied again; every change is an idempotent upsert or delete, so
// applying part of a page twice changes nothing. That keeps a 5000-row page from freezing
// searches for a few hundred ms. The pull worker, where nothing waits behind it, uses
// `applyWhole`: the same checks, one transaction a page.
//
// A change that fails its check or that the database refuses is quarantined (pullQuarantine.ts)
// and the page goes on: one row a laptop cannot store must never stop every later change. Each
// change is one statement, or a collision delete followed by the upsert, whose failure SQLite
// rolls back by itself (statement atomicity), so a refused change leaves nothing half-written;
// failures of the database itself (busy, full, read-only) still fail the page.

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
  champion: [{ sql: CLEAR_CHAMPION_SLOT_SQL, params: slotParams }],
};

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export interface PageResult {
  rowsApplied: number;
  /** The page's tables, and what else its changes wrote (an erasure's conflicts and outbox rows: writtenTables.ts). */
  tables: Set<DataTable>;
}

export class PullPageApplier {
  private readonly stmts: { [T in SyncTable]: TableStatements };
  private readonly collisions: Partial<Record<SyncTable, { stmt: Database.Statement; params: (row: Record<string, unknown>) => unknown[] }[]>> = {};
  private readonly applyTx: Database.Transaction<(page: PullResponse) => PageResult>;
  private readonly forgetHistory: Database.Statement;
  private readonly sliceTx: Database.Transaction<(page: PullEnvelope, start: number, budgetMs: number, tables: Set<DataTable>) => number>;
  private readonly quarantine: PullQuarantine;

  constructor(private readonly sqlite: Database.Database) {
    this.stmts = prepareTableStatements(sqlite);
    this.quarantine = new PullQuarantine(sqlite);
    this.forgetHistory = sqlite.prepare(FORGET_OPTIMISTIC_HISTORY_SQL);
    for (const [table, list] of Object.entries(COLLISION_DELETES) as [SyncTable, NonNullable<(typeof COLLISION_DELETES)[SyncTable]>][]) {
      this.collisions[table] = list.map((c) => ({ stmt: sqlite.prepare(c.sql), params: c.params }));
    }
    this.applyTx = sqlite.transaction((page: PullResponse) => {
      const { result, tables } = collectWrites(sqlite, () => this.applyInner(page));
      for (const t of tables) result.tables.add(t);
      // Reported once a page (not per row, the hot path), to any caller collecting writes too.
      noteWrite(sqlite, ...result.tables);
      return result;
    });
    this.sliceTx = sqlite.transaction((page: PullEnvelope, start: number, budgetMs: number, tables: Set<DataTable>) => {
      const { result, tables: noted } = collectWrites(sqlite, () => this.applySlice(page, start, budgetMs, tables));
      for (const t of noted) tables.add(t);
      noteWrite(sqlite, ...tables);
      return result;
    });
  }

  /** Validate and apply a page in time-bounded slices; the cursor goes with the last slice. */
  async applyInSlices(page: PullEnvelope, budgetMs = 25): Promise<PageResult> {
    const tables = new Set<DataTable>();
    let next = 0;
    for (;;) {
      next = this.sliceTx.immediate(page, next, budgetMs, tables);
      if (next >= page.changes.length) break;
      await yieldToEventLoop();
    }
    return { rowsApplied: page.changes.length, tables };
  }

  /**
   * Validate and apply a whole page and its cursor in one transaction: the pull worker's way,
   * where no search waits behind it. IMMEDIATE, because another connection (the main
   * thread's) writes too, and a deferred transaction that read first could not then write.
   */
  applyWhole(page: PullEnvelope): PageResult {
    const tables = new Set<DataTable>();
    this.sliceTx.immediate(page, 0, Number.POSITIVE_INFINITY, tables);
    return { rowsApplied: page.changes.length, tables };
  }

  private applySlice(page: PullEnvelope, start: number, budgetMs: number, tables: Set<DataTable>): number {
    const based = basedRows(this.sqlite);
    this.quarantine.refresh();
    const began = performance.now();
    let i = start;
    while (i < page.changes.length) {
      const raw = page.changes[i];
      // Most changes pass the plain check (acceptsChange.ts); only the rest pay for zod.
      const parsed = acceptsChange(raw) ? { success: true as const, data: raw } : Change.safeParse(raw);
      if (parsed.success) this.applyOrHold(parsed.data, raw, i, page.cursor, based, tables);
      else {
        const key = changeKey(raw, i, page.cursor);
        this.quarantine.hold(key, raw, decodeReason(key.table, parsed.error), page.cursor);
      }
      i++;
      if ((i & 63) === 0 && performance.now() - began > budgetMs) break;
    }
    if (i >= page.changes.length) this.finishPage(page);
    return i;
  }

  private applyOrHold(change: Change, raw: unknown, index: number, cursor: string | null, based: Set<string>, tables: Set<DataTable>): void {
    try {
      this.applyOne(change, based, tables);
    } catch (e) {
      if (!isRowFailure(e)) throw e;
      this.quarantine.hold(changeKey(raw, index, cursor), raw, applyReason('table' in change ? change.table : 'user', e), cursor);
    }
  }

  private applyOne(change: Change, based: Set<string>, tables: Set<DataTable>): void {
    // Scope events (issue 13). Both appliers (main thread and pull worker) come through here.
    if (change.op === 'leave') {
      evictMember(this.sqlite, change.userId);
      for (const t of MEMBER_TABLES) tables.add(t);
      return;
    }
    if (change.op === 'enter') {
      forgetLeftNotice(this.sqlite, change.userId);
      return;
    }
    tables.add(change.table);
    this.applyChange(change);
    const id = change.op === 'upsert' ? change.row.id : change.id;
    this.quarantine.applied(change.table, id);
    if (based.size > 0) {
      // The server's version of a row with optimistic changes replaces the remembered one.
      if (based.has(`${change.table}:${id}`)) forgetBase(this.sqlite, change.table as BasedTable, id);
    }
  }

  /** Apply the page's changes, then record its cursor and lastMutationId, atomically. */
  apply(page: PullResponse): PageResult {
    return this.applyTx.immediate(page);
  }

  private applyInner(page: PullResponse): PageResult {
    const tables = new Set<DataTable>();
    const based = basedRows(this.sqlite);
    this.quarantine.refresh();
    page.changes.forEach((change, i) => this.applyOrHold(change, change, i, page.cursor, based, tables));
    this.finishPage(page);
    return { rowsApplied: page.changes.length, tables };
  }

  /** In the transaction of a page's last change: search catch-up during a first pull, then the cursor. */
  private finishPage(page: Omit<PullEnvelope, 'changes'>): void {
    // On the last page, index every member still waiting, so search is whole before the rebuild.
    catchUpMemberSearch(this.sqlite, { force: !page.hasMore });
    if (!page.hasMore) clearGoneChampions(this.sqlite);
    setPullProgress(this.sqlite, { cursor: page.cursor, serverLastMutationId: page.lastMutationId, pullInProgress: page.hasMore });
  }

  private applyChange(change: Exclude<Change, { op: 'enter' | 'leave' }>): void {
    const s = this.stmts[change.table];
    if (change.op === 'delete') {
      // A member deleted on the server was erased: forget everything about them first, while
      // their name and email are still here to find their traces by (issue 14).
      if (change.table === 'user') forgetMember(this.sqlite, change.id, 'erased');
      else if (change.table === 'champion') noteGoneChampion(this.sqlite, change.id);
      s.remove.run(change.id);
      if (change.table === 'champion') {
        // Optimistic history of a champion the server no longer has would otherwise linger.
        this.forgetHistory.run(change.id);
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
