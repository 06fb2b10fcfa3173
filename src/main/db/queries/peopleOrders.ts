import type { AppDb } from '../open.js';
import { cachedStatement } from '../statementCache.js';
import {
  badCursor,
  COLUMNS,
  decodeCursorParts,
  DENSE,
  encodeCursor,
  originClause,
  roleClause,
  whereSql,
  type MemberRow,
  type Params,
  type PeopleFilter,
} from './peopleSql.js';
import { matchAll } from './searchText.js';

// The people list by "last active" (newest first) and by "joined" (newest first), in keyset
// pages, at 100,000 members and 1,000,000 actions.
//
// Joined: user_created_idx (created_at, id) walked backwards; the planner reads a small match
// set and sorts it instead.
//
// Last active has no column to walk: a member's last activity is their newest action. So for
// many members the action log itself is walked newest first (user_action_time_idx) and an
// action is kept only when it is its member's newest (one step into user_action_user_time_idx),
// which yields every active member exactly once, in order; the keyset is that action's
// (occurred_at, id). Members who never acted follow, by name. For a small filtered set (fewer
// than DENSE members, e.g. a search or a rare role) walking the log would read mostly other
// people's actions, so the set's newest actions are looked up and sorted instead, in the same
// order and with the same cursor.

type Order = 'last_active' | 'joined';
type Row = MemberRow & { last_active_at: string | null; act_id: string | null };

/** Conditions on `u` for the filter (search text, roles, origins). */
function memberWhere(filter: PeopleFilter, params: Params): string[] {
  const where = originClause(filter, params);
  if (filter.roles.length > 0) where.push(`(${filter.roles.map(roleClause).join(' OR ')})`);
  const match = matchAll(filter.query);
  if (match !== null) {
    params.match = match;
    where.push('u.rowid IN (SELECT rowid FROM user_fts WHERE user_fts MATCH @match)');
  }
  return where;
}

/** Whether the filter leaves fewer than DENSE members, for the price of reading at most DENSE of them. */
function isSparse(app: AppDb, filter: PeopleFilter): boolean {
  const params: Params = {};
  const where = memberWhere(filter, params);
  if (where.length === 0) return false;
  const n = cachedStatement(app.sqlite, `SELECT count(*) AS n FROM (SELECT 1 FROM user u${whereSql(where)} LIMIT ${DENSE})`).get(params) as {
    n: number;
  };
  return n.n < DENSE;
}

/** [order, phase, key, id]: phase 0 = active members (key occurred_at, id action id), 1 = never active (key name, id user id). */
type LastActiveCursor = { phase: 0 | 1; key: string; id: string };

function decode(order: Order, raw: string | null): LastActiveCursor | null {
  if (raw === null) return null;
  const p = decodeCursorParts(raw);
  if (!Array.isArray(p) || p.length !== 4 || p[0] !== order || (p[1] !== 0 && p[1] !== 1)) throw badCursor();
  if (typeof p[2] !== 'string' || typeof p[3] !== 'string') throw badCursor();
  return { phase: p[1] as 0 | 1, key: p[2], id: p[3] };
}

/** The SQL of one page of the last-active walk over the whole log (exported so a test can EXPLAIN it). */
export function planLastActiveWalk(filter: PeopleFilter, after: LastActiveCursor | null, limit: number): { sql: string; params: Params } {
  const params: Params = { limit };
  const where = memberWhere(filter, params);
  // Only the member's newest action stands for them (ties on time broken by id, as the walk's order).
  where.unshift('a.id = (SELECT b.id FROM user_action b WHERE b.user_id = a.user_id ORDER BY b.occurred_at DESC, b.id DESC LIMIT 1)');
  if (after) {
    params.afterAt = after.key;
    params.afterId = after.id;
    where.unshift('(a.occurred_at, a.id) < (@afterAt, @afterId)');
  }
  // CROSS JOIN keeps the log as the outer loop: the walk is in its order, so no sort.
  return {
    sql: `SELECT ${COLUMNS}, a.occurred_at AS last_active_at, a.id AS act_id FROM user_action a CROSS JOIN user u ON u.id = a.user_id${whereSql(
      where,
    )} ORDER BY a.occurred_at DESC, a.id DESC LIMIT @limit`,
    params,
  };
}

function neverActive(app: AppDb, filter: PeopleFilter, after: { key: string; id: string } | null, limit: number): Row[] {
  const params: Params = { limit };
  const where = memberWhere(filter, params);
  where.push('NOT EXISTS (SELECT 1 FROM user_action WHERE user_id = u.id)');
  if (after) {
    params.afterName = after.key;
    params.afterId = after.id;
    where.push('(u.name, u.id) > (@afterName, @afterId)');
  }
  const sql = `SELECT ${COLUMNS}, NULL AS last_active_at, NULL AS act_id FROM user u${whereSql(where)} ORDER BY u.name, u.id LIMIT @limit`;
  return cachedStatement(app.sqlite, sql).all(params) as Row[];
}

/** A small set, whole: each member's newest action looked up, then sorted as the walk would give them. */
function sparseLastActive(app: AppDb, filter: PeopleFilter): Row[] {
  const params: Params = {};
  const where = memberWhere(filter, params);
  // One step into user_action_user_time_idx per member, reading time and id from the index alone
  // (joined by a separator no timestamp holds), rather than a second look-up of the action row.
  const sql = `SELECT ${COLUMNS},
      (SELECT b.occurred_at || char(31) || b.id FROM user_action b WHERE b.user_id = u.id ORDER BY b.occurred_at DESC, b.id DESC LIMIT 1) AS newest
      FROM user u${whereSql(where)}`;
  const rows = (cachedStatement(app.sqlite, sql).all(params) as (MemberRow & { newest: string | null })[]).map(({ newest, ...r }) => {
    const cut = newest === null ? -1 : newest.indexOf('\u001f');
    return { ...r, last_active_at: cut < 0 ? null : newest!.slice(0, cut), act_id: cut < 0 ? null : newest!.slice(cut + 1) };
  });
  return rows.sort((x, y) => {
    if (x.act_id === null || y.act_id === null) {
      if (x.act_id !== y.act_id) return x.act_id === null ? 1 : -1;
      return x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
    }
    if (x.last_active_at !== y.last_active_at) return x.last_active_at! > y.last_active_at! ? -1 : 1;
    return x.act_id > y.act_id ? -1 : x.act_id < y.act_id ? 1 : 0;
  });
}

function isAfter(row: Row, c: LastActiveCursor): boolean {
  if (row.act_id !== null) {
    if (c.phase === 1) return false;
    return row.last_active_at! < c.key || (row.last_active_at === c.key && row.act_id < c.id);
  }
  if (c.phase === 0) return true;
  return row.name > c.key || (row.name === c.key && row.id > c.id);
}

function lastActivePage(app: AppDb, filter: PeopleFilter, after: LastActiveCursor | null, limit: number): Row[] {
  const want = limit + 1;
  if (isSparse(app, filter)) {
    const all = sparseLastActive(app, filter);
    return (after ? all.filter((r) => isAfter(r, after)) : all).slice(0, want);
  }
  const rows: Row[] = [];
  if (!after || after.phase === 0) {
    const { sql, params } = planLastActiveWalk(filter, after, want);
    rows.push(...(cachedStatement(app.sqlite, sql).all(params) as Row[]));
  }
  if (rows.length < want) rows.push(...neverActive(app, filter, after?.phase === 1 ? after : null, want - rows.length));
  return rows;
}

function joinedPage(app: AppDb, filter: PeopleFilter, after: LastActiveCursor | null, limit: number): Row[] {
  const params: Params = { limit: limit + 1 };
  const where = memberWhere(filter, params);
  if (after) {
    params.afterAt = after.key;
    params.afterId = after.id;
    where.push('(u.created_at, u.id) < (@afterAt, @afterId)');
  }
  const sql = `SELECT ${COLUMNS}, NULL AS act_id FROM user u${whereSql(where)} ORDER BY u.created_at DESC, u.id DESC LIMIT @limit`;
  return (cachedStatement(app.sqlite, sql).all(params) as Omit<Row, 'last_active_at'>[]).map((r) => ({ ...r, last_active_at: null }));
}

/**
 * One page in `order`. Rows of the last-active order carry their last activity (the joined
 * order leaves it to the caller's look-up, marked by `undefined`).
 */
export function orderedPage(
  app: AppDb,
  filter: PeopleFilter,
  order: Order,
  afterRaw: string | null,
  limit: number,
): { rows: (MemberRow & { last_active_at?: string | null })[]; nextCursor: string | null } {
  const after = decode(order, afterRaw);
  const rows = order === 'joined' ? joinedPage(app, filter, after, limit) : lastActivePage(app, filter, after, limit);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  let nextCursor: string | null = null;
  if (more && last) {
    nextCursor =
      order === 'joined'
        ? encodeCursor([order, 0, last.created_at, last.id])
        : last.act_id !== null
          ? encodeCursor([order, 0, last.last_active_at!, last.act_id])
          : encodeCursor([order, 1, last.name, last.id]);
  }
  return {
    rows: page.map(({ act_id: _a, last_active_at, ...r }) => (order === 'joined' ? r : { ...r, last_active_at })),
    nextCursor,
  };
}
