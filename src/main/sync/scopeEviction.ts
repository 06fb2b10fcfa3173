import type Database from 'better-sqlite3';
import { forgetMember } from './forgetMember.js';

// A member who leaves this coordinator's scope (a `leave` change in a pull page, issue 13) must
// leave no trace on the laptop: sync/forgetMember.ts removes their rows in the six mirrored
// tables, their member-search entry, the insight rows, the remembered server versions of their
// rows and the conflicts about them, and leaves a notice without personal data. Pending changes
// about them stay in the outbox: they are still sent, and the server answers them
// (out_of_scope), which keeps their text. What stays here is only that this id left, and when,
// so an open member page can say so instead of failing: no name, no email (table `scope_left`,
// this module's alone).

export interface LeftScopeNotice {
  userId: string;
  leftAt: string;
  /** Conflicts about them that were cleared. */
  closedConflicts: number;
}

/** Forget one member who left the scope. Runs inside the caller's transaction (the page's). */
export function evictMember(sqlite: Database.Database, userId: string, now: Date = new Date()): LeftScopeNotice {
  const counts = forgetMember(sqlite, userId, 'out_of_scope', now);
  const notice: LeftScopeNotice = { userId, leftAt: now.toISOString(), closedConflicts: counts.conflict };
  sqlite
    .prepare(
      `INSERT INTO scope_left (user_id, left_at, closed_conflicts) VALUES (?, ?, ?)
       ON CONFLICT(user_id) DO UPDATE SET left_at = excluded.left_at, closed_conflicts = excluded.closed_conflicts`,
    )
    .run(userId, notice.leftAt, notice.closedConflicts);
  return notice;
}

/** A member came (back) into scope: the notice that they left no longer holds. */
export function forgetLeftNotice(sqlite: Database.Database, userId: string): void {
  sqlite.prepare('DELETE FROM scope_left WHERE user_id = ?').run(userId);
}

/** Whether (and when) a member left this laptop's scope: the member page says so instead of failing. */
export function leftScopeNotice(sqlite: Database.Database, userId: string): LeftScopeNotice | null {
  const r = sqlite.prepare('SELECT left_at AS leftAt, closed_conflicts AS closedConflicts FROM scope_left WHERE user_id = ?').get(userId) as
    { leftAt: string; closedConflicts: number } | undefined;
  return r ? { userId, ...r } : null;
}
