import type Database from 'better-sqlite3';
import { forgetMember } from '../localData/forgetMember.js';

// A member who leaves this coordinator's scope (a `leave` change in a pull page, issue 13) must
// leave no trace on the laptop: localData/forgetMember.ts removes their rows in the six mirrored
// tables, their member-search entry, the insight rows, the remembered server versions of their
// rows and the conflicts about them, and leaves a notice without personal data. Pending changes
// about them stay in the outbox: they are still sent, and the server answers them
// (out_of_scope), which keeps their text. What stays here is only that this id left, and when,
// so an open member page can say so instead of failing: no name, no email.

const leftKey = (userId: string) => `scope.left:${userId}`;

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
    .prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(leftKey(userId), JSON.stringify(notice));
  return notice;
}

/** A member came (back) into scope: the notice that they left no longer holds. */
export function forgetLeftNotice(sqlite: Database.Database, userId: string): void {
  sqlite.prepare('DELETE FROM setting WHERE key = ?').run(leftKey(userId));
}

/** Whether (and when) a member left this laptop's scope: the member page says so instead of failing. */
export function leftScopeNotice(sqlite: Database.Database, userId: string): LeftScopeNotice | null {
  const r = sqlite.prepare('SELECT value FROM setting WHERE key = ?').get(leftKey(userId)) as { value: string } | undefined;
  if (!r) return null;
  try {
    return JSON.parse(r.value) as LeftScopeNotice;
  } catch {
    return null;
  }
}
