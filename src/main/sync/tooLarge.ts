import type Database from 'better-sqlite3';
import { recordRejection } from './conflicts.js';
import { durably } from './durably.js';
import { deleteEntry, type OutboxEntry } from './outbox.js';
import { rebase } from './rebase.js';

// A pending change that alone is too large to send (the server, or a proxy before it, answers
// 413 even to a push of that one change) would jam the outbox for good. It is refused here, as
// the server would refuse it: a conflict that keeps the coordinator's text, its optimistic effect
// rolled back. The server never saw its id, so the next push is told `mutation_gap` and the
// changes after it are renumbered (engine.ts), as after any local removal from the outbox.

export const TOO_LARGE_MESSAGE =
  'This change is too large to send to the server, so it was not sent. Your text is kept here; shorten it and make the change again.';

export function rejectTooLarge(sqlite: Database.Database, entry: OutboxEntry, ctx: { now: Date; changedBy: string }): void {
  durably(sqlite, () => {
    recordRejection(sqlite, entry, { id: entry.id, status: 'rejected', code: 'invalid_args', message: TOO_LARGE_MESSAGE, field: 'args' }, ctx.now);
    deleteEntry(sqlite, entry.id);
    rebase(sqlite, ctx.changedBy);
  });
}
