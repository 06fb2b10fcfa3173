import type Database from 'better-sqlite3';
import type { z } from 'zod';
import { SYNC_TABLES, type SyncTable } from '../../shared/rows.js';

// A pulled change this laptop cannot store (a row that breaks the storable-value rules, or one
// its database refuses) is put aside here instead of failing the page: the rest of the page and
// its cursor apply, so one bad upstream row can never stop every later change (erasures
// included) from reaching the laptop. The entry keeps the change as received and why it was
// refused; a later version of the same row replaces it, and removes it when that version
// applies. The mirror starting over (full resync, another server database) clears it, since the
// pull that follows brings every row again.

export interface QuarantineEntry {
  id: number;
  table: string;
  rowId: string;
  received: string;
  reason: string;
  pageCursor: string | null;
  receivedAt: string;
}

const TABLE_WORDS: Record<SyncTable, string> = {
  user: 'member',
  cohort: 'cohort',
  enrollment: 'enrollment',
  user_action: 'action',
  champion: 'champion record',
  champion_stage_change: 'stage change',
};

/** Which row a raw change names, as far as it can be told (a change may be any JSON at all). */
export function changeKey(raw: unknown, index: number, cursor: string | null): { table: string; rowId: string } {
  const o = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const table = typeof o.table === 'string' && (SYNC_TABLES as readonly string[]).includes(o.table) ? o.table : 'unknown';
  const row = typeof o.row === 'object' && o.row !== null ? (o.row as Record<string, unknown>) : {};
  const id = typeof row.id === 'string' ? row.id : typeof o.id === 'string' ? o.id : null;
  // An unnamed change is keyed by where it came, so a later page cannot mistake it for a row.
  return { table, rowId: id !== null ? id.slice(0, 256) : `changes[${index}] of page ${cursor ?? 'start'}` };
}

/** A zod refusal of a change, in plain words naming the field (`name must not be empty`). */
export function decodeReason(table: string, err: z.ZodError): string {
  const issue = err.issues[0];
  const path = (issue?.path ?? []).map(String).filter((p) => p !== 'row');
  const what = (TABLE_WORDS as Record<string, string>)[table] ?? 'change';
  const field = path.join('.');
  return `The server sent a ${what} this laptop cannot store: ${field ? `${field} ` : ''}${issue?.message ?? 'not understood'}.`;
}

/** A database refusal in plain words; the SQLite code says which rule for those who need it. */
export function applyReason(table: string, e: unknown): string {
  const what = (TABLE_WORDS as Record<string, string>)[table] ?? 'change';
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'error';
  return `This laptop's database could not store a ${what} the server sent (${code}).`;
}

/**
 * Whether a failure belongs to the row (quarantine it) rather than to the database as a whole
 * (a busy, full, read-only or broken database: the page must fail and be retried, or every row
 * of it would be put aside).
 */
export function isRowFailure(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return true;
  return /^SQLITE_(CONSTRAINT|ERROR|MISMATCH|TOOBIG|RANGE)/.test(code);
}

export class PullQuarantine {
  private readonly put: Database.Statement;
  private readonly release: Database.Statement;
  private readonly any: Database.Statement;
  private known: boolean;

  constructor(sqlite: Database.Database) {
    this.put = sqlite.prepare(
      `INSERT INTO pull_quarantine (table_name, row_id, received, reason, page_cursor, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(table_name, row_id) DO UPDATE SET received = excluded.received, reason = excluded.reason,
         page_cursor = excluded.page_cursor, received_at = excluded.received_at`,
    );
    this.release = sqlite.prepare('DELETE FROM pull_quarantine WHERE table_name = ? AND row_id = ?');
    this.any = sqlite.prepare('SELECT 1 FROM pull_quarantine LIMIT 1');
    this.known = this.any.get() !== undefined;
  }

  hold(key: { table: string; rowId: string }, raw: unknown, reason: string, cursor: string | null, now = new Date()): void {
    let received: string;
    try {
      received = JSON.stringify(raw) ?? 'null';
    } catch {
      received = '"(not JSON)"';
    }
    this.put.run(key.table, key.rowId, received, reason, cursor, now.toISOString());
    this.known = true;
  }

  /** A version of the row applied: its quarantined version (if any) is superseded. Free when nothing is quarantined. */
  applied(table: string, rowId: string): void {
    if (!this.known) return;
    this.release.run(table, rowId);
  }

  /** Read again whether anything is quarantined (another connection may have written): once a page or slice. */
  refresh(): void {
    this.known = this.any.get() !== undefined;
  }
}

export function listQuarantine(sqlite: Database.Database): QuarantineEntry[] {
  return sqlite
    .prepare(
      `SELECT id, table_name AS "table", row_id AS rowId, received, reason, page_cursor AS pageCursor, received_at AS receivedAt
       FROM pull_quarantine ORDER BY id`,
    )
    .all() as QuarantineEntry[];
}

export function clearQuarantine(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM pull_quarantine').run();
}
