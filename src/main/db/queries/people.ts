import type { Role } from '../../../shared/enums.js';
import type { CallOutput, MemberSummary, ParsedInput, PeopleSort } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { cachedStatement } from '../statementCache.js';
import { csvLine } from './csv.js';
import { enrollmentsText, lastActiveOf, pipelinesOf, pipelinesText, summaryStage } from './memberFacts.js';
import { orderedPage } from './peopleOrders.js';
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
import { matchAll, rankBuckets } from './searchText.js';

// People search, in one order: (rank bucket, name, id).
//  - No search text: one bucket, everyone.
//  - Search text: bucket 0 = the name holds every typed prefix, bucket 1 = other matches
//    (email, or split across name and email); see searchText.ts.
// The rank is a small integer rather than bm25 on purpose: bm25 must be computed for every
// match before the first row can be returned (~100 ms for a one-letter query at 100k
// members), while a bucket is a plain MATCH whose rows can be walked in (name, id) order.
// The cursor is the (bucket, name, id) of the last row, so pages never overlap or skip.
//
// Within a bucket two plans give the (name, id) order; which is cheaper depends on how many
// members match, which a capped count tells for the price of reading at most DENSE rows:
//  - dense (many matches): walk a (name, id) index from the cursor and keep rows whose rowid
//    is in the match set (at ≥ DENSE matches, a page needs few index steps);
//  - sparse: take the match set and sort it (it is small). CROSS JOIN pins user_fts as the
//    outer loop: the other way round, SQLite re-runs the whole MATCH for every user row.

type SearchInput = Omit<ParsedInput<'people.search'>, 'sort'> & { sort?: PeopleSort };

interface Cursor {
  bucket: number;
  name: string;
  id: string;
}

function decodeCursor(raw: string, buckets: number): Cursor {
  const parts = decodeCursorParts(raw);
  if (
    Array.isArray(parts) &&
    parts.length === 3 &&
    Number.isInteger(parts[0]) &&
    (parts[0] as number) >= 0 &&
    (parts[0] as number) < buckets &&
    typeof parts[1] === 'string' &&
    typeof parts[2] === 'string'
  ) {
    return { bucket: parts[0] as number, name: parts[1], id: parts[2] };
  }
  throw badCursor();
}

/**
 * The SQL of one bucket's rows after `after` (name, id), in (name, id) order, at most
 * `limit` (all when null). Exported so that a test can EXPLAIN the plans it picks.
 *
 * Walks in (name, id) order use one index per chosen role (or user_name_idx without a role
 * filter); several roles are several walks merged with UNION, which also drops a member
 * found under two roles. A sparse match set is instead read from user_fts and sorted.
 */
export function planBucket(
  app: AppDb,
  filter: PeopleFilter,
  match: string | null,
  after: { name: string; id: string } | null,
  limit: number | null,
): { sql: string; params: Params } {
  const params: Params = {};
  const shared = originClause(filter, params);
  if (after) {
    params.afterName = after.name;
    params.afterId = after.id;
    shared.push('(u.name, u.id) > (@afterName, @afterId)');
  }
  const tail = ` ORDER BY u.name, u.id${limit === null ? '' : ' LIMIT @limit'}`;
  if (limit !== null) params.limit = limit;

  let dense = true;
  if (match !== null) {
    params.match = match;
    const probe = cachedStatement(app.sqlite, `SELECT count(*) AS n FROM (SELECT 1 FROM user_fts WHERE user_fts MATCH @m LIMIT ${DENSE})`);
    dense = (probe.get({ m: match }) as { n: number }).n >= DENSE;
    if (dense) shared.push('u.rowid IN (SELECT rowid FROM user_fts WHERE user_fts MATCH @match)');
  }

  if (!dense) {
    const roles = filter.roles.map(roleClause);
    const where = roles.length === 0 ? shared : [...shared, roles.length === 1 ? roles[0]! : `(${roles.join(' OR ')})`];
    return {
      sql: `SELECT ${COLUMNS} FROM user_fts f CROSS JOIN user u ON u.rowid = f.rowid WHERE user_fts MATCH @match${where
        .map((w) => ` AND ${w}`)
        .join('')}${tail}`,
      params,
    };
  }
  if (filter.roles.length === 0) {
    return { sql: `SELECT ${COLUMNS} FROM user u INDEXED BY user_name_idx${whereSql(shared)}${tail}`, params };
  }
  const arms = filter.roles.map(
    (role) => `SELECT ${COLUMNS} FROM user u INDEXED BY user_role_${role}_idx${whereSql([roleClause(role), ...shared])}${tail}`,
  );
  if (arms.length === 1) return { sql: arms[0]!, params };
  return {
    sql: `${arms.map((a) => `SELECT * FROM (${a})`).join(' UNION ')} ORDER BY name, id${limit === null ? '' : ' LIMIT @limit'}`,
    params,
  };
}

function bucketRows(
  app: AppDb,
  filter: PeopleFilter,
  match: string | null,
  after: { name: string; id: string } | null,
  limit: number | null,
): MemberRow[] {
  const { sql, params } = planBucket(app, filter, match, after, limit);
  return cachedStatement(app.sqlite, sql).all(params) as MemberRow[];
}

/** The page's members as the list shows them, with last activity and champion stage looked up for just these rows. */
function toSummaries(app: AppDb, rows: readonly (MemberRow & { last_active_at?: string | null })[]): MemberSummary[] {
  const ids = rows.map((r) => r.id);
  const needLastActive = rows.some((r) => r.last_active_at === undefined);
  const lastActive = needLastActive ? lastActiveOf(app, ids) : new Map<string, string | null>();
  const pipelines = pipelinesOf(app, ids);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    origin: r.origin,
    roles: JSON.parse(r.roles) as Role[],
    profileImg: r.profile_img,
    joinedAt: r.created_at,
    lastActiveAt: r.last_active_at !== undefined ? r.last_active_at : (lastActive.get(r.id) ?? null),
    championStage: summaryStage(pipelines.get(r.id)),
  }));
}

/** The query's buckets: MATCH expressions, or the single bucket `null` (no search text). */
function bucketsOf(query: string): (string | null)[] {
  const buckets = rankBuckets(query);
  return buckets.length === 0 ? [null] : buckets;
}

export function searchPeople(app: AppDb, input: SearchInput): CallOutput<'people.search'> {
  if (input.sort === 'last_active' || input.sort === 'joined') {
    const page = orderedPage(app, input, input.sort, input.after, input.limit);
    return { items: toSummaries(app, page.rows), nextCursor: page.nextCursor };
  }
  const buckets = bucketsOf(input.query);
  const cursor = input.after === null ? null : decodeCursor(input.after, buckets.length);
  // One extra row tells whether another page exists without a second query.
  const want = input.limit + 1;
  const rows: { row: MemberRow; bucket: number }[] = [];
  for (let b = cursor?.bucket ?? 0; b < buckets.length && rows.length < want; b++) {
    const after = cursor && cursor.bucket === b ? cursor : null;
    for (const row of bucketRows(app, input, buckets[b] ?? null, after, want - rows.length)) rows.push({ row, bucket: b });
  }
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: toSummaries(
      app,
      page.map((r) => r.row),
    ),
    nextCursor: more && last ? encodeCursor([last.bucket, last.row.name, last.row.id]) : null,
  };
}

export function countPeople(app: AppDb, filter: PeopleFilter): CallOutput<'people.count'> {
  const params: Params = {};
  const where = originClause(filter, params);
  const roles = filter.roles.map(roleClause);
  if (roles.length > 0) where.push(`(${roles.join(' OR ')})`);
  const match = matchAll(filter.query);
  let sql: string;
  if (match === null) {
    sql = `SELECT count(*) AS n FROM user u${whereSql(where)}`;
  } else {
    params.match = match;
    sql = `SELECT count(*) AS n FROM user_fts f CROSS JOIN user u ON u.rowid = f.rowid WHERE user_fts MATCH @match${where
      .map((w) => ` AND ${w}`)
      .join('')}`;
  }
  return { count: (cachedStatement(app.sqlite, sql).get(params) as { n: number }).n };
}

export function listOrigins(app: AppDb): CallOutput<'people.origins'> {
  const rows = cachedStatement(app.sqlite, 'SELECT DISTINCT origin FROM user WHERE origin IS NOT NULL ORDER BY origin').all() as {
    origin: string;
  }[];
  return { origins: rows.map((r) => r.origin) };
}

const CSV_HEADER = ['id', 'name', 'email', 'origin', 'roles', 'joined', 'last_active', 'champion_stage', 'enrollments'] as const;

/** Rows per look-up while exporting: one page of ids per round of enrollment and pipeline queries. */
const EXPORT_PAGE = 500;

/**
 * Every member the filter finds, in the list's order (its sort too), as CSV: roles joined by
 * `;`, every pipeline with its stage, every enrollment with its status, and the newest action.
 */
export function exportPeopleCsv(app: AppDb, filter: PeopleFilter & { sort?: PeopleSort }): CallOutput<'people.exportCsv'> {
  const lines: string[] = [csvLine(CSV_HEADER)];
  let rows = 0;
  let after: string | null = null;
  do {
    const page = searchPeople(app, { ...filter, limit: EXPORT_PAGE, after });
    const ids = page.items.map((m) => m.id);
    const pipelines = pipelinesOf(app, ids);
    const enrollments = enrollmentsText(app, ids);
    for (const m of page.items) {
      lines.push(
        csvLine([
          m.id,
          m.name,
          m.email,
          m.origin,
          m.roles.join(';'),
          m.joinedAt,
          m.lastActiveAt,
          pipelinesText(pipelines.get(m.id)),
          enrollments.get(m.id) ?? '',
        ]),
      );
      rows++;
    }
    after = page.nextCursor;
  } while (after !== null);
  return { csv: lines.join(''), rows };
}
