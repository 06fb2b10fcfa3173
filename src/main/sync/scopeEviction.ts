import type Database from 'better-sqlite3';

// A member who leaves this coordinator's scope (a `leave` change in a pull page, issue 13) must
// leave no trace on the laptop: their rows in the six mirrored tables, the member-search index
// (its triggers follow deletes, except during a first sync's bulk load, handled here), the cohort
// insight tables (their triggers follow deletes of enrollments and actions, or are rebuilt from
// the tables after a bulk load), the remembered server versions of their rows, and open
// conflicts about them (closed, with a notice). Pending changes about them stay in the outbox:
// they are still sent, and the server answers them (out_of_scope), which keeps their text.

const SEARCH_WATERMARK = 'sync.memberSearchWatermark';
const BASE = 'sync.base:';
/** Resolution of a conflict closed because its member left the scope. */
export const LEFT_SCOPE_RESOLUTION = 'member-left-scope';
const leftKey = (userId: string) => `scope.left:${userId}`;

/**
 * What the laptop keeps about a member who left: their id and when, nothing personal (no name):
 * enough for an open member page to say what happened, and for nobody to learn who it was.
 */
export interface LeftScopeNotice {
  userId: string;
  leftAt: string;
  /** Open conflicts about them that were closed (their text is kept in the conflict records). */
  closedConflicts: number;
}

/**
 * Forget one member: every row of theirs, their search entry, derived figures, bases and open
 * conflicts (except the server's own out_of_scope answers, which are about this very thing).
 * Runs inside the caller's transaction (the page's).
 */
export function evictMember(sqlite: Database.Database, userId: string, now: Date = new Date()): LeftScopeNotice {
  const user = sqlite.prepare('SELECT rowid AS rid, name, email FROM "user" WHERE id = ?').get(userId) as
    | { rid: number; name: string; email: string }
    | undefined;
  const championsOf = 'SELECT id FROM champion WHERE user_id = ?';
  const closed = sqlite
    .prepare(
      // `current` is the server's row of the member: gone with them. The coordinator's own text stays (the notice).
      `UPDATE conflict SET resolved_at = ?, resolution = ?, current = NULL
       WHERE resolved_at IS NULL AND code <> 'out_of_scope'
         AND (json_extract(args, '$.userId') = ?
              OR (entity_table = 'champion' AND entity_id IN (${championsOf}))
              OR (entity_table = 'user_action' AND entity_id IN (SELECT id FROM user_action WHERE user_id = ?))
              OR (entity_table = 'user' AND entity_id = ?))`,
    )
    .run(now.toISOString(), LEFT_SCOPE_RESOLUTION, userId, userId, userId, userId).changes;
  const forgetBases = sqlite.prepare('DELETE FROM setting WHERE key = ?');
  forgetBases.run(`${BASE}user:${userId}`);
  sqlite.prepare(`DELETE FROM setting WHERE key IN (SELECT '${BASE}champion:' || id FROM champion WHERE user_id = ?)`).run(userId);
  sqlite.prepare(`DELETE FROM setting WHERE key IN (SELECT '${BASE}user_action:' || id FROM user_action WHERE user_id = ?)`).run(userId);

  sqlite.prepare(`DELETE FROM champion_stage_change WHERE champion_id IN (${championsOf})`).run(userId);
  sqlite.prepare('DELETE FROM champion WHERE user_id = ?').run(userId);
  sqlite.prepare('DELETE FROM user_action WHERE user_id = ?').run(userId);
  sqlite.prepare('DELETE FROM enrollment WHERE user_id = ?').run(userId);
  if (user) {
    // During a first sync's bulk load the search triggers are away and members up to the
    // watermark are already indexed: take this one out by hand (the end-of-load rebuild would
    // too, but a search before then must not find them).
    const mark = sqlite.prepare('SELECT value FROM setting WHERE key = ?').get(SEARCH_WATERMARK) as { value: string } | undefined;
    if (mark && user.rid <= (Number(mark.value) || 0))
      sqlite.prepare("INSERT INTO user_fts (user_fts, rowid, name, email) VALUES ('delete', ?, ?, ?)").run(user.rid, user.name, user.email);
    sqlite.prepare('DELETE FROM "user" WHERE id = ?').run(userId);
  }
  const notice: LeftScopeNotice = { userId, leftAt: now.toISOString(), closedConflicts: closed };
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
