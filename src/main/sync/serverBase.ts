import type Database from 'better-sqlite3';
import { CLEAR_CHAMPION_SLOT_SQL, slotParams } from './championSlot.js';
import { isConstraintError } from './sqliteErrors.js';
import { readRow, toLocalValues, upsertSql } from './wireRows.js';
import type { RowOf } from '../../shared/rows.js';
import { noteWrite } from './writtenTables.js';

// The server's version of each row that an optimistic change has touched, kept until the
// server sends that row again. With it, a rebase is exact: put every touched row back to the
// server's version, then re-apply the still-pending mutations. A mutation that will never be
// applied (rejected, or rejected in an answer lost to a crash) thus leaves no trace in the
// mirror, even when the server's row itself did not change and no pull brings it.

export type BasedTable = 'user' | 'champion' | 'user_action';

// The `server_base` table is this module's alone: `row` is the server's row as JSON, NULL when
// the server has no such row.

/** Before the first optimistic change to a row: remember what the server has (or that it has nothing). */
export function rememberBase(sqlite: Database.Database, table: BasedTable, id: string): void {
  if (sqlite.prepare('SELECT 1 FROM server_base WHERE table_name = ? AND row_id = ?').get(table, id)) return;
  const row = readRow(sqlite, table, id);
  sqlite.prepare('INSERT INTO server_base (table_name, row_id, row) VALUES (?, ?, ?)').run(table, id, row ? JSON.stringify(row) : null);
}

/** The server told us its row outright (a rejection's `current`): that is the base now. */
export function setBase(sqlite: Database.Database, table: BasedTable, id: string, row: RowOf[BasedTable] | null): void {
  sqlite
    .prepare('INSERT INTO server_base (table_name, row_id, row) VALUES (?, ?, ?) ON CONFLICT(table_name, row_id) DO UPDATE SET row = excluded.row')
    .run(table, id, row ? JSON.stringify(row) : null);
}

/** Keys (`table:id`) of rows that currently carry optimistic changes. */
export function basedRows(sqlite: Database.Database): Set<string> {
  const rows = sqlite.prepare('SELECT table_name, row_id FROM server_base').all() as { table_name: string; row_id: string }[];
  return new Set(rows.map((r) => `${r.table_name}:${r.row_id}`));
}

/** The member a remembered champion row names (a card already removed here still names its member). */
export function baseChampionOwner(sqlite: Database.Database, championId: string): string | null {
  const r = sqlite
    .prepare(
      "SELECT CASE WHEN json_valid(row) THEN json_extract(row, '$.user_id') END AS userId FROM server_base WHERE table_name = 'champion' AND row_id = ?",
    )
    .get(championId) as { userId: unknown } | undefined;
  return typeof r?.userId === 'string' ? r.userId : null;
}

/** A pulled row is the server's current version: the remembered one is obsolete. */
export function forgetBase(sqlite: Database.Database, table: BasedTable, id: string): void {
  sqlite.prepare('DELETE FROM server_base WHERE table_name = ? AND row_id = ?').run(table, id);
}

/** Forget the remembered versions of every row with one of these ids (a member forgotten); returns how many went. */
export function forgetBasesOfIds(sqlite: Database.Database, ids: readonly string[]): number {
  return sqlite.prepare('DELETE FROM server_base WHERE row_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)).changes;
}

export function clearBases(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM server_base').run();
}

/** Put every touched row back to the server's version (first step of a rebase). Returns the tables it wrote. */
export function restoreBases(sqlite: Database.Database): Set<BasedTable> {
  const parsed = sqlite.prepare('SELECT table_name AS "table", row_id AS id, row FROM server_base').all() as {
    table: BasedTable;
    id: string;
    row: string | null;
  }[];
  const touched = new Set(parsed.map((p) => p.table));
  noteWrite(sqlite, ...touched);
  // Removals first, so a restored row never collides with an optimistic one that is going away.
  for (const p of parsed) if (p.row === null) sqlite.prepare(`DELETE FROM "${p.table}" WHERE id = ?`).run(p.id);
  for (const p of parsed) {
    if (p.row === null) continue;
    const row = JSON.parse(p.row) as RowOf[BasedTable];
    const values = toLocalValues(p.table, row);
    try {
      sqlite.prepare(upsertSql(p.table)).run(values);
    } catch (e) {
      if (!isConstraintError(e) || p.table !== 'champion') throw e;
      sqlite.prepare(CLEAR_CHAMPION_SLOT_SQL).run(slotParams(row as RowOf['champion']));
      sqlite.prepare(upsertSql(p.table)).run(values);
    }
  }
  clearBases(sqlite);
  return touched;
}
