import type Database from 'better-sqlite3';

// Notices: what happened to this laptop's data without the coordinator doing it, shown as a
// dismissible banner until they dismiss it. The text never names a member.

export type NoticeKind = 'member_erased' | 'member_out_of_scope' | 'data_wiped';

export interface Notice {
  id: number;
  kind: NoticeKind;
  message: string;
  count: number;
  createdAt: string;
}

const NOTICE_MESSAGES: Record<NoticeKind, string> = {
  member_erased: "A member's data was removed from this laptop: erased by the charity.",
  member_out_of_scope: "A member's data was removed from this laptop: they are no longer among the members you look after.",
  data_wiped: "This laptop's data was removed.",
};

/**
 * Add a notice, or count one more on the open notice of the same kind (ten erasures in one pull
 * are one banner saying 10, not ten banners). Call inside the transaction that did the thing.
 */
export function recordNotice(sqlite: Database.Database, kind: NoticeKind, now: Date, message = NOTICE_MESSAGES[kind]): void {
  const open = sqlite
    .prepare('SELECT id FROM notice WHERE kind = ? AND message = ? AND dismissed_at IS NULL ORDER BY id DESC LIMIT 1')
    .get(kind, message) as { id: number } | undefined;
  if (open) sqlite.prepare('UPDATE notice SET count = count + 1, created_at = ? WHERE id = ?').run(now.toISOString(), open.id);
  else sqlite.prepare('INSERT INTO notice (kind, message, count, created_at) VALUES (?, ?, 1, ?)').run(kind, message, now.toISOString());
}

/** Open notices, newest first. */
export function listNotices(sqlite: Database.Database): Notice[] {
  return sqlite
    .prepare('SELECT id, kind, message, count, created_at AS createdAt FROM notice WHERE dismissed_at IS NULL ORDER BY id DESC')
    .all() as Notice[];
}

/** Dismiss one notice; false if there is no open notice with that id. */
export function dismissNotice(sqlite: Database.Database, id: number, now: Date): boolean {
  return sqlite.prepare('UPDATE notice SET dismissed_at = ? WHERE id = ? AND dismissed_at IS NULL').run(now.toISOString(), id).changes > 0;
}
