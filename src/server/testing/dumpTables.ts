import { sql } from 'drizzle-orm';
import type { Change, PullResponse } from '../../shared/protocol.js';
import { SYNC_TABLES, type SyncTable } from '../../shared/rows.js';
import type { Database } from '../db/database.js';
import { tableIdent, wireJson } from '../db/storedWire.js';

export type Mirror = Record<SyncTable, Map<string, unknown>>;
export const emptyMirror = (): Mirror => Object.fromEntries(SYNC_TABLES.map((t) => [t, new Map<string, unknown>()])) as Mirror;

/** Every synced row straight from the tables, as wire rows: what a complete pull must reproduce. */
export async function dumpTables(db: Database): Promise<Mirror> {
  const m = emptyMirror();
  await db.read(async (tx) => {
    for (const t of SYNC_TABLES) {
      const rows = await tx.rows<{ id: string; row: unknown }>(sql`SELECT id, ${wireJson(t)} AS row FROM ${tableIdent(t)}`);
      for (const r of rows) m[t].set(r.id, r.row);
    }
  });
  return m;
}

/** Apply a pull page the way a client does: upserts replace, deletes remove. */
export function applyChanges(m: Mirror, changes: readonly Change[]): void {
  for (const c of changes) {
    if (c.op === 'enter') continue;
    if (c.op === 'leave') forgetMember(m, c.userId);
    else if (c.op === 'delete') m[c.table].delete(c.id);
    else m[c.table].set(c.row.id, c.row);
  }
}

/** A member who left the scope: every row of theirs goes (what a laptop's eviction does). */
function forgetMember(m: Mirror, userId: string): void {
  const owned = (r: unknown) => (r as { user_id?: string }).user_id === userId;
  const champions = new Set([...m.champion.entries()].filter(([, r]) => owned(r)).map(([id]) => id));
  m.user.delete(userId);
  for (const t of ['enrollment', 'user_action', 'champion'] as const) for (const [id, r] of [...m[t].entries()]) if (owned(r)) m[t].delete(id);
  for (const [id, r] of [...m.champion_stage_change.entries()])
    if (champions.has((r as { champion_id: string }).champion_id)) m.champion_stage_change.delete(id);
}

/** Pull from `cursor` until hasMore is false, applying every page; returns the final cursor. */
export async function pullUntilDone(
  pull: (cursor: string | null) => Promise<PullResponse>,
  mirror: Mirror,
  cursor: string | null = null,
): Promise<{ cursor: string; pages: number; lastMutationId: number }> {
  let pages = 0;
  for (;;) {
    const page = await pull(cursor);
    pages++;
    applyChanges(mirror, page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return { cursor, pages, lastMutationId: page.lastMutationId };
  }
}

export const mirrorToObject = (m: Mirror) =>
  Object.fromEntries(SYNC_TABLES.map((t) => [t, Object.fromEntries([...m[t].entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))]));
