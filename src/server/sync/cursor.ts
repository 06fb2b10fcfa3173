import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../db/database.js';
import { DomainError } from '../domainError.js';

// The pull cursor is opaque to clients: base64url of {"v":2,"db":…,"e":…,"seq":"<last delivered seq>"}.
// It names the database (sync_meta.database_id) and the epoch (sync_epoch) it was issued in,
// so that a cursor the server cannot honestly continue from gets resync_required instead of a
// page that silently skips rows (docs/protocol.md, "cursors name their database"):
// - from another database;
// - from a future this database never had: an epoch it does not know (it was restored from a
//   backup taken before that epoch began), a seq at or past its epoch's end, or above anything
//   the sequence has handed out;
// - one that does not fit a bigint, or that is not a cursor at all (protocol 1's included).

const MAX_SEQ = 9_223_372_036_854_775_807n;
// A scoped coordinator's cursor (issue 13) also names whose scope it follows (`u`), and during
// the first sync's expansion the last member delivered (`m`, '' before the first): its `seq` is
// then the point the expansion started from, where the change order picks up once it is done.
const CursorBody = z.strictObject({
  v: z.literal(2),
  db: z.uuid(),
  e: z.uuid(),
  seq: z.string().regex(/^(0|[1-9][0-9]{0,18})$/),
  u: z.string().min(1).max(128).optional(),
  m: z.string().max(128).optional(),
  // Members still to come after `m`, as counted when the expansion began (a progress estimate only).
  l: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});

export interface CursorPosition {
  db: string;
  epoch: string;
  seq: bigint;
  /** The coordinator whose scope this cursor follows; absent: an unfiltered (`all`) cursor. */
  scopedFor?: string;
  /** First scoped sync in progress: members up to this id (in id order) have been delivered. */
  expandedTo?: string;
  /** During an expansion: about how many members are still to come (for `remaining`; never for what is sent). */
  membersLeft?: number;
}

export function encodeCursor(p: CursorPosition): string {
  const body: Record<string, string | number> = { v: 2, db: p.db, e: p.epoch, seq: p.seq.toString() };
  if (p.scopedFor !== undefined) body.u = p.scopedFor;
  if (p.expandedTo !== undefined) body.m = p.expandedTo;
  if (p.membersLeft !== undefined) body.l = p.membersLeft;
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The position a cursor stands for; one the server cannot read → 409 resync_required. */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw resync('is not one this server can continue from');
  }
  const r = CursorBody.safeParse(parsed);
  if (!r.success) throw resync('is not one this server can continue from');
  const seq = BigInt(r.data.seq);
  if (seq > MAX_SEQ) throw resync('is past anything this server can hand out');
  const p: CursorPosition = { db: r.data.db, epoch: r.data.e, seq };
  if (r.data.u !== undefined) p.scopedFor = r.data.u;
  if (r.data.m !== undefined) p.expandedTo = r.data.m;
  if (r.data.l !== undefined) p.membersLeft = r.data.l;
  return p;
}

/** The latest epoch: the one every new cursor is issued in. */
export async function currentEpoch(tx: Tx): Promise<string> {
  const r = await tx.rows<{ id: string }>(sql`SELECT id::text AS id FROM sync_epoch ORDER BY start_seq DESC LIMIT 1`);
  if (!r[0]) throw new Error('sync_epoch is empty: the server migrations did not run');
  return r[0].id;
}

/** Inside the pull's snapshot: may a page continue from this position of this database? */
export async function assertContinuable(tx: Tx, p: CursorPosition, databaseId: string): Promise<void> {
  if (p.db !== databaseId) throw resync('comes from another database');
  const r = await tx.rows<{ next_start: string | null; handed_out: string }>(
    sql`SELECT (SELECT min(n.start_seq) FROM sync_epoch n WHERE n.start_seq > e.start_seq)::text AS next_start,
               (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM change_seq)::text AS handed_out
        FROM sync_epoch e WHERE e.id = ${p.epoch}::uuid`,
  );
  const epoch = r[0];
  if (!epoch) throw resync('comes from a later state of this database than the one it holds now (was it restored from a backup?)');
  if (epoch.next_start !== null && p.seq >= BigInt(epoch.next_start))
    throw resync('comes from a later state of this database than the one it holds now');
  if (p.seq > BigInt(epoch.handed_out)) throw resync('is ahead of anything this database has handed out (was it restored from a backup?)');
}

const resync = (why: string) => new DomainError('resync_required', `The sync cursor ${why}; start a full resync.`, { field: 'cursor' });
