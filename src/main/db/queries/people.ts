import { ROLES, type Role } from '../../../shared/enums.js';
import type { CallOutput, MemberSummary, ParsedInput } from '../../../shared/ipc.js';
import { IpcFailure } from '../../ipc/ipcFailure.js';
import type { AppDb } from '../open.js';
import { roleTest } from '../schema.js';
import { cachedStatement } from '../statementCache.js';
import { csvLine } from './csv.js';
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
//  - dense (many matches): walk user_name_idx from the cursor and keep rows whose rowid is
//    in the match set (at ≥ DENSE matches, a page needs few index steps);
//  - sparse: take the match set and sort it (it is small). CROSS JOIN pins user_fts as the
//    outer loop: the other way round, SQLite re-runs the whole MATCH for every user row.

type PeopleFilter = ParsedInput<'people.count'>;
type SearchInput = ParsedInput<'people.search'>;

const DENSE = 2000;
const COLUMNS = 'u.id AS id, u.name AS name, u.email AS email, u.origin AS origin, u.roles AS roles, u.profile_img AS profile_img';

interface MemberRow {
  id: string;
  name: string;
  email: string;
  origin: string | null;
  roles: string;
  profile_img: string | null;
}

interface Cursor {
  bucket: number;
  name: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.bucket, c.name, c.id]), 'utf8').toString('base64url');
}

function decodeCursor(raw: string, buckets: number): Cursor {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
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
  throw new IpcFailure('bad_request', 'after: is not a cursor from this search; start again from the first page', 'after');
}

type Params = Record<string, string | number>;

/**
 * Role and origin filters as SQL over `u`. Roles are tested with the very expression of
 * the per-role partial indexes (schema.ts `roleTest`), written as a literal so that SQLite
 * can use them; the role names come from the Role enum, never from free text.
 */
function filterClauses(filter: PeopleFilter, params: Params): string[] {
  const where: string[] = [];
  if (filter.roles.length > 0) {
    const tests = filter.roles.map((role) => {
      if (!ROLES.includes(role)) throw new IpcFailure('bad_request', `roles: unknown role "${role}"`, 'roles');
      return roleTest('u.roles', role);
    });
    where.push(tests.length === 1 ? tests[0]! : `(${tests.join(' OR ')})`);
  }
  if (filter.origins.length > 0) {
    params.origins = JSON.stringify(filter.origins);
    where.push('u.origin IN (SELECT value FROM json_each(@origins))');
  }
  return where;
}

/** The index that yields (name, id) order for this filter: one role's partial index, or everyone's. */
function nameOrderIndex(filter: PeopleFilter): string {
  const only = filter.roles.length === 1 ? filter.roles[0] : undefined;
  return only ? `user_role_${only}_idx` : 'user_name_idx';
}

const whereSql = (where: string[]) => (where.length ? ` WHERE ${where.join(' AND ')}` : '');

/** Rows of one bucket after `after` (name, id), in (name, id) order, at most `limit` (all when null). */
function bucketRows(
  app: AppDb,
  filter: PeopleFilter,
  match: string | null,
  after: { name: string; id: string } | null,
  limit: number | null,
): MemberRow[] {
  const params: Params = {};
  const where = filterClauses(filter, params);
  if (after) {
    params.afterName = after.name;
    params.afterId = after.id;
    where.push('(u.name, u.id) > (@afterName, @afterId)');
  }
  const tail = ` ORDER BY u.name, u.id${limit === null ? '' : ' LIMIT @limit'}`;
  if (limit !== null) params.limit = limit;

  if (match === null) {
    return cachedStatement(app.sqlite, `SELECT ${COLUMNS} FROM user u${whereSql(where)}${tail}`).all(params) as MemberRow[];
  }
  params.match = match;
  const probe = cachedStatement(app.sqlite, `SELECT count(*) AS n FROM (SELECT 1 FROM user_fts WHERE user_fts MATCH @m LIMIT ${DENSE})`);
  const dense = (probe.get({ m: match }) as { n: number }).n >= DENSE;
  const sql = dense
    ? `SELECT ${COLUMNS} FROM user u INDEXED BY ${nameOrderIndex(filter)}${whereSql([
        'u.rowid IN (SELECT rowid FROM user_fts WHERE user_fts MATCH @match)',
        ...where,
      ])}${tail}`
    : `SELECT ${COLUMNS} FROM user_fts f CROSS JOIN user u ON u.rowid = f.rowid WHERE user_fts MATCH @match${where
        .map((w) => ` AND ${w}`)
        .join('')}${tail}`;
  return cachedStatement(app.sqlite, sql).all(params) as MemberRow[];
}

function toSummary(r: MemberRow): MemberSummary {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    origin: r.origin,
    roles: JSON.parse(r.roles) as Role[],
    profile_img: r.profile_img,
  };
}

/** The query's buckets: MATCH expressions, or the single bucket `null` (no search text). */
function bucketsOf(query: string): (string | null)[] {
  const buckets = rankBuckets(query);
  return buckets.length === 0 ? [null] : buckets;
}

export function searchPeople(app: AppDb, input: SearchInput): CallOutput<'people.search'> {
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
    items: page.map((r) => toSummary(r.row)),
    nextCursor: more && last ? encodeCursor({ bucket: last.bucket, name: last.row.name, id: last.row.id }) : null,
  };
}

export function countPeople(app: AppDb, filter: PeopleFilter): CallOutput<'people.count'> {
  const params: Params = {};
  const where = filterClauses(filter, params);
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

export const CSV_HEADER = ['id', 'name', 'email', 'origin', 'roles'] as const;

/** Every member the filter finds, in the list's order, as CSV (roles joined by `;`). */
export function exportPeopleCsv(app: AppDb, filter: PeopleFilter): CallOutput<'people.exportCsv'> {
  const lines: string[] = [csvLine(CSV_HEADER)];
  let rows = 0;
  for (const match of bucketsOf(filter.query)) {
    for (const r of bucketRows(app, filter, match, null, null)) {
      lines.push(csvLine([r.id, r.name, r.email, r.origin, (JSON.parse(r.roles) as string[]).join(';')]));
      rows++;
    }
  }
  return { csv: lines.join(''), rows };
}
