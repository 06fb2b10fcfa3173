import { z } from 'zod';
import { ApiError } from '../http/apiError.js';

// The pull cursor is opaque to clients: base64url of {"v":1,"seq":"<last delivered seq>"}.
// Versioned so the server can change what it tracks without breaking old clients (they get
// resync_required instead of wrong data).

const CursorBody = z.strictObject({ v: z.literal(1), seq: z.string().regex(/^(0|[1-9][0-9]{0,18})$/) });

export function encodeCursor(seq: bigint): string {
  return Buffer.from(JSON.stringify({ v: 1, seq: seq.toString() })).toString('base64url');
}

/** The seq a cursor stands for (null cursor = 0, from the start). A cursor we cannot read → 409 resync_required. */
export function decodeCursor(cursor: string | null): bigint {
  if (cursor === null) return 0n;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw unreadable();
  }
  const r = CursorBody.safeParse(parsed);
  if (!r.success) throw unreadable();
  return BigInt(r.data.seq);
}

const unreadable = () =>
  new ApiError('resync_required', 'The sync cursor is not one this server can continue from; start a full resync.', { field: 'cursor' });
