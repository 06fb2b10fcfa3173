import type Database from 'better-sqlite3';
import { memberSearchWatermark } from './bulkLoad.js';
import { closeUnheardGaps } from './outbox.js';
import { forgetBasesOfIds } from './serverBase.js';
import { noteWrite } from './writtenTables.js';
import { recordNotice } from '../localData/notices.js';

// Issue 14: when a member is erased (or leaves the coordinator's scope, issue 13), the laptop
// forgets everything about them, not only the rows the server deletes: conflicts about them
// (their text included), the server bases kept for rebasing, the insight rows derived from their
// enrollments, pulled rows of theirs held in quarantine, their member-search entry. The two
// reasons differ in one thing: the coordinator's pending changes about an erased member go too
// (the server would only refuse them, and they hold the member's data), while those about a
// member who left the scope stay and are still sent, so the server answers each (out_of_scope)
// and the coordinator keeps their text (docs/protocol.md, "Scopes"). Member search drops them through its delete
// trigger; the maintenance pass after the write (src/main/db/maintenance.ts) merges the index and
// hands back the freed pages, and secure_delete zeroes what is deleted here.

export type ForgetReason = 'erased' | 'out_of_scope';

export interface ForgetCounts {
  user: number;
  enrollment: number;
  user_action: number;
  champion: number;
  champion_stage_change: number;
  insight: number;
  server_bases: number;
  conflict: number;
  outbox: number;
  quarantine: number;
}

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Remove every trace of one member, in one transaction (a savepoint when called inside a pull
 * page's), and leave a notice for the coordinator when anything was removed. Returns what went.
 */
export function forgetMember(sqlite: Database.Database, userId: string, reason: ForgetReason, now = new Date()): ForgetCounts {
  return sqlite.transaction(() => forget(sqlite, userId, reason, now))();
}

function forget(sqlite: Database.Database, userId: string, reason: ForgetReason, now: Date): ForgetCounts {
  const who = sqlite.prepare('SELECT name, email FROM "user" WHERE id = ?').get(userId) as { name: string; email: string } | undefined;
  const championIds = (sqlite.prepare('SELECT id FROM champion WHERE user_id = ?').all(userId) as { id: string }[]).map((r) => r.id);
  const actionIds = (sqlite.prepare('SELECT id FROM user_action WHERE user_id = ?').all(userId) as { id: string }[]).map((r) => r.id);
  const enrollmentIds = (sqlite.prepare('SELECT id FROM enrollment WHERE user_id = ?').all(userId) as { id: string }[]).map((r) => r.id);

  // Text naming the member: their id, and their name and email while the row is still here.
  // A name under 3 characters would match unrelated text, so it does not count as a mention.
  const needles = [userId, ...(who ? [who.email, ...(who.name.trim().length >= 3 ? [who.name] : [])] : [])];
  const mentions = (cols: string[]) => cols.flatMap((c) => needles.map(() => `${c} LIKE ? ESCAPE '\\'`)).join(' OR ');
  const mentionParams = (cols: string[]) => cols.flatMap(() => needles.map(like));
  const ids = new Set([userId, ...championIds, ...actionIds, ...enrollmentIds, ...goneChampionsOf(sqlite, userId)]);
  const inIds = (col: string) => `${col} IN (SELECT value FROM json_each(?))`;
  const idsJson = JSON.stringify([...ids]);

  sqlite.prepare('DELETE FROM gone_champion WHERE user_id = ?').run(userId);
  const counts: ForgetCounts = {
    user: 0,
    enrollment: 0,
    user_action: 0,
    champion: 0,
    champion_stage_change: 0,
    insight: 0,
    server_bases: 0,
    conflict: 0,
    outbox: 0,
    quarantine: 0,
  };

  // Conflicts about them (their rows, or text naming them), and those waiting behind one of those.
  // After a scope change, the server's own out_of_scope answers stay: they are about this very
  // thing, and keep the coordinator's text of a change that can no longer be applied.
  const keepAnswers = reason === 'out_of_scope' ? ` AND code <> 'out_of_scope'` : '';
  const conflictIds = (
    sqlite
      .prepare(`SELECT id FROM conflict WHERE (${inIds('entity_id')} OR ${mentions(['args', 'current', 'message'])})${keepAnswers}`)
      .all(idsJson, ...mentionParams(['args', 'current', 'message'])) as { id: number }[]
  ).map((r) => r.id);
  if (conflictIds.length > 0) {
    counts.conflict = sqlite
      .prepare(
        `WITH RECURSIVE gone(id) AS (SELECT value FROM json_each(?) UNION SELECT c.id FROM conflict c JOIN gone g ON c.blocked_by = g.id)
         DELETE FROM conflict WHERE id IN (SELECT id FROM gone)`,
      )
      .run(JSON.stringify(conflictIds)).changes;
  }

  // Pending changes about them: an id of theirs as the row changed or named, or text naming them.
  const argIds = `json_extract(args, '$.id') IN (SELECT value FROM json_each(?)) OR json_extract(args, '$.userId') IN (SELECT value FROM json_each(?))`;
  const outboxIds =
    reason !== 'erased'
      ? []
      : (
          sqlite.prepare(`SELECT id FROM outbox WHERE ${argIds} OR ${mentions(['args'])}`).all(idsJson, idsJson, ...mentionParams(['args'])) as {
            id: number;
          }[]
        ).map((r) => r.id);
  if (reason === 'erased' && outboxIds.length > 0) {
    counts.outbox = sqlite.prepare('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(outboxIds)).changes;
    // The server needs consecutive ids: the ones it has not heard yet close up behind those removed.
    // An erasure arrives by pull, and a pull runs only after a push whose answers were all heard,
    // so none of these was sent with its answer still unheard: renumbering them cannot look to
    // the server like a diverged history (a sent, unheard discard would need a noop instead).
    closeUnheardGaps(sqlite);
  }

  counts.server_bases = forgetBasesOfIds(sqlite, [...ids]);

  counts.champion_stage_change = sqlite
    .prepare('DELETE FROM champion_stage_change WHERE champion_id IN (SELECT value FROM json_each(?))')
    .run(JSON.stringify(championIds)).changes;
  counts.champion = sqlite.prepare('DELETE FROM champion WHERE user_id = ?').run(userId).changes;
  counts.user_action = sqlite.prepare('DELETE FROM user_action WHERE user_id = ?').run(userId).changes;
  counts.enrollment = sqlite.prepare('DELETE FROM enrollment WHERE user_id = ?').run(userId).changes;
  // Derived rows the triggers keep; during a first pull those triggers are dropped, so go by user id too.
  counts.insight =
    sqlite.prepare('DELETE FROM insight_enrollment_week WHERE user_id = ?').run(userId).changes +
    sqlite.prepare('DELETE FROM insight_enrollment WHERE user_id = ?').run(userId).changes;
  counts.quarantine = sqlite
    .prepare(`DELETE FROM pull_quarantine WHERE ${inIds('row_id')} OR ${mentions(['received'])}`)
    .run(idsJson, ...mentionParams(['received'])).changes;
  dropFromSearchDuringBulkLoad(sqlite, userId);
  counts.user = sqlite.prepare('DELETE FROM "user" WHERE id = ?').run(userId).changes;

  // The screens re-read what went (sync/writtenTables.ts): an erasure arrives with a pull page.
  const written = (['user', 'enrollment', 'user_action', 'champion', 'champion_stage_change', 'conflict', 'outbox'] as const).filter(
    (t) => counts[t] > 0,
  );
  if (written.length > 0) noteWrite(sqlite, ...written);
  const removed = Object.values(counts).some((n) => n > 0);
  if (removed) recordNotice(sqlite, reason === 'erased' ? 'member_erased' : 'member_out_of_scope', now);
  return counts;
}

// During a first sync's bulk load the member-search triggers are away (sync/bulkLoad.ts) and
// members up to its watermark are already indexed: such a member is taken out of the index by
// hand, so a search before the load's final rebuild cannot find them.
function dropFromSearchDuringBulkLoad(sqlite: Database.Database, userId: string): void {
  const mark = memberSearchWatermark(sqlite);
  if (mark === null) return;
  const user = sqlite.prepare('SELECT rowid AS rid, name, email FROM "user" WHERE id = ?').get(userId) as
    { rid: number; name: string; email: string } | undefined;
  if (user && user.rid <= mark) {
    sqlite.prepare("INSERT INTO user_fts (user_fts, rowid, name, email) VALUES ('delete', ?, ?, ?)").run(user.rid, user.name, user.email);
  }
}

// An erasure's deletes reach the laptop in seq order: the member's champion rows go before the
// user row, maybe pages (or runs) earlier. A pending change or a conflict about such a champion
// names only the champion's id; so when a pull deletes a champion that something still refers
// to, its owner is noted (table `gone_champion`, ids only, this module's alone) for forgetMember
// to find. A pull that reaches the end has delivered every delete there was, so the notes are dropped then.

/** Before a pulled champion delete: remember whose it was if a pending change or conflict refers to it. */
export function noteGoneChampion(sqlite: Database.Database, championId: string): void {
  const referred = sqlite
    .prepare("SELECT 1 FROM conflict WHERE entity_id = ? UNION ALL SELECT 1 FROM outbox WHERE json_extract(args, '$.id') = ? LIMIT 1")
    .get(championId, championId);
  if (!referred) return;
  const owner = sqlite.prepare('SELECT user_id FROM champion WHERE id = ?').get(championId) as { user_id: string } | undefined;
  if (!owner) return;
  sqlite.prepare('INSERT OR IGNORE INTO gone_champion (user_id, champion_id) VALUES (?, ?)').run(owner.user_id, championId);
}

function goneChampionsOf(sqlite: Database.Database, userId: string): string[] {
  return (sqlite.prepare('SELECT champion_id AS id FROM gone_champion WHERE user_id = ?').all(userId) as { id: string }[]).map((r) => r.id);
}

/** At the end of a complete pull. */
export function clearGoneChampions(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM gone_champion').run();
}
