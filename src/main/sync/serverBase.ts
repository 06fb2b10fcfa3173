import type Database from 'better-sqlite3';
import { isConstraintError } from './sqliteErrors.js';
import { readRow, toLocalValues, upsertSql } from './wireRows.js';
import type { RowOf } from '../../shared/rows.js';

// The server's version of each row that an optimistic change has touched, kept until the
// server sends that row again. With it, a rebase is exact: put every touched row back to the
// server's version, then re-apply the still-pending mutations. A mutation that will never be
// applied (rejected, or rejected in an answer lost to a crash) thus leaves no trace in the
// mirror, even when the server's row itself did not change and no pull brings it.

export type BasedTable = 'user' | 'champion' | 'user_action';
const PREFIX = 'sync.base:';
const ABSENT = 'absent';

const keyOf = (table: BasedTable, id: string) => `${PREFIX}${table}:${id}`;

/** Before the first optimistic change to a row: remember what the server has (or that it has nothing). */
export function rememberBase(sqlite: Database.Database, table: BasedTable, id: string): void {
  const key = keyOf(table, id);
  if (sqlite.prepare('SELECT 1 FROM setting WHERE key = ?').get(key)) return;
  const row = readRow(sqlite, table, id);
  sqlite.prepare('INSERT INTO setting (key, value) VALUES (?, ?)').run(key, row ? JSON.stringify(row) : ABSENT);
}

/** The server told us its row outright (a rejection's `current`): that is the base now. */
export function setBase(sqlite: Database.Database, table: BasedTable, id: string, row: RowOf[BasedTable] | null): void {
  sqlite
    .prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(keyOf(table, id), row ? JSON.stringify(row) : ABSENT);
}

/** Keys (`table:id`) of rows that currently carry optimistic changes. */
export function basedRows(sqlite: Database.Database): Set<string> {
  const rows = sqlite.prepare('SELECT key FROM setting WHERE key >= ? AND key < ?').all(PREFIX, PREFIX + '\uffff') as { key: string }[];
  return new Set(rows.map((r) => r.key.slice(PREFIX.length)));
}

/** A pulled row is the server's current version: the remembered one is obsolete. */
export function forgetBase(sqlite: Database.Database, table: BasedTable, id: string): void {
  sqlite.prepare('DELETE FROM setting WHERE key = ?').run(keyOf(table, id));
}

export function clearBases(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM setting WHERE key >= ? AND key < ?').run(PREFIX, PREFIX + '\uffff');
}

/** Put every touched row back to the server's version (first step of a rebase). */
export function restoreBases(sqlite: Database.Database): void {
  const rows = sqlite.prepare('SELECT key, value FROM setting WHERE key >= ? AND key < ?').all(PREFIX, PREFIX + '\uffff') as {
    key: string;
    value: string;
  }[];
  const parsed = rows.map((r) => {
    const rest = r.key.slice(PREFIX.length);
    const sep = rest.indexOf(':');
    return { table: rest.slice(0, sep) as BasedTable, id: rest.slice(sep + 1), value: r.value };
  });
  // Removals first, so a restored row never collides with an optimistic one that is going away.
  for (const p of parsed) if (p.value === ABSENT) sqlite.prepare(`DELETE FROM "${p.table}" WHERE id = ?`).run(p.id);
  for (const p of parsed) {
    if (p.value === ABSENT) continue;
    const row = JSON.parse(p.value) as RowOf[BasedTable];
    const values = toLocalValues(p.table, row);
    try {
      sqlite.prepare(upsertSql(p.table)).run(values);
    } catch (e) {
      if (!isConstraintError(e) || p.table !== 'champion') throw e;
      const c = row as RowOf['champion'];
      sqlite.prepare('DELETE FROM champion WHERE user_id = ? AND cohort_id IS ? AND id <> ?').run(c.user_id, c.cohort_id, c.id);
      sqlite.prepare(upsertSql(p.table)).run(values);
    }
  }
  clearBases(sqlite);
}
