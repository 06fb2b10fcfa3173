import type { ActionType, SourceSystem, TargetType } from '../../../shared/enums.js';
import type { CallOutput, ParsedInput, TimelineFilter, TimelineItem } from '../../../shared/ipc.js';
import { dayInZone, dayRanges } from '../../../shared/timeZones.js';
import type { AppDb } from '../open.js';
import { cachedStatement } from '../statementCache.js';

// The action log, newest first, in keyset pages on (occurred_at, id) descending.
//
// Which index walks the log decides the speed at 1,000,000 actions:
//  - one member: user_action_user_time_idx (user_id, occurred_at, id); a member's own
//    history is short enough that the other filters can be checked row by row;
//  - all members, filtered by action type, target type or source system: the filter whose
//    chosen values cover the smallest share of its enum drives. For each chosen value one
//    arm walks (value, occurred_at, id) newest first and stops after a page; the arms are
//    merged and cut to a page. So a rare value costs a page, not a scan of the log;
//  - all members, unfiltered: user_action_time_idx (occurred_at, id).
// Filter values are enum members (checked by the IPC schema), bound as parameters.

type PageInput = ParsedInput<'timeline.page'>;
type Params = Record<string, string | number>;

const ACTION_COLUMNS =
  'id, user_id, enrollment_id, action_type, target_type, target_id, metadata, source_system, source_event_id, idempotency_key, occurred_at';

interface ActionRow {
  id: string;
  user_id: string;
  enrollment_id: string | null;
  action_type: string;
  target_type: string | null;
  target_id: string | null;
  metadata: string;
  source_system: string | null;
  source_event_id: string | null;
  idempotency_key: string | null;
  occurred_at: string;
  userName: string | null;
  courseName: string | null;
  cohortName: string | null;
}

type Dimension = 'action_type' | 'target_type' | 'source_system';
const DIMENSIONS: { column: Dimension; key: 'actionTypes' | 'targetTypes' | 'sourceSystems'; size: number }[] = [
  { column: 'action_type', key: 'actionTypes', size: 9 },
  { column: 'target_type', key: 'targetTypes', size: 8 },
  { column: 'source_system', key: 'sourceSystems', size: 6 },
];

/** Conditions every arm shares: member, date range, and the filters that do not drive. */
function sharedConditions(filter: TimelineFilter, params: Params, driving: Dimension | null): string[] {
  const where: string[] = [];
  if (filter.userId !== null) {
    params.userId = filter.userId;
    where.push('user_id = @userId');
  }
  if (filter.from !== null) {
    params.from = filter.from;
    where.push('occurred_at >= @from');
  }
  if (filter.to !== null) {
    params.to = filter.to;
    where.push('occurred_at < @to');
  }
  for (const d of DIMENSIONS) {
    const values = filter[d.key];
    if (values.length === 0 || d.column === driving) continue;
    params[d.key] = JSON.stringify(values);
    where.push(`${d.column} IN (SELECT value FROM json_each(@${d.key}))`);
  }
  return where;
}

/**
 * The filter that should drive a walk across all members, or null for the time index
 * (one member, or no value filter). Each candidate's size is estimated by counting its
 * values' rows in the date range, capped at PROBE_CAP per value: enough to tell a rare
 * value (manual actions) from a common one for the price of a few thousand index steps.
 * Among filters that all hit the cap, the one choosing the smaller share of its enum wins.
 */
const PROBE_CAP = 10_000;

/**
 * Probe results, kept a minute per connection: the pages of one infinite scroll ask the
 * same question, and a stale estimate only costs speed, never a wrong row.
 */
const ESTIMATE_TTL_MS = 60_000;
const estimateCaches = new WeakMap<AppDb['sqlite'], Map<string, { n: number; at: number }>>();
const estimates = {
  get(key: string, app: AppDb): number | undefined {
    const hit = estimateCaches.get(app.sqlite)?.get(key);
    return hit && Date.now() - hit.at < ESTIMATE_TTL_MS ? hit.n : undefined;
  },
  set(key: string, n: number, app: AppDb): void {
    let cache = estimateCaches.get(app.sqlite);
    if (!cache) {
      cache = new Map();
      estimateCaches.set(app.sqlite, cache);
    }
    if (cache.size > 1000) cache.clear();
    cache.set(key, { n, at: Date.now() });
  },
};
function drivingDimension(app: AppDb, filter: TimelineFilter): { column: Dimension; values: readonly string[] } | null {
  if (filter.userId !== null) return null;
  const candidates = DIMENSIONS.filter((d) => filter[d.key].length > 0);
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return { column: candidates[0]!.column, values: filter[candidates[0]!.key] };
  let best: { column: Dimension; values: readonly string[]; rows: number; share: number } | null = null;
  for (const d of candidates) {
    const values: readonly string[] = filter[d.key];
    const probe = cachedStatement(
      app.sqlite,
      `SELECT count(*) AS n FROM (SELECT 1 FROM user_action WHERE ${d.column} = @v` +
        `${filter.from !== null ? ' AND occurred_at >= @from' : ''}${filter.to !== null ? ' AND occurred_at < @to' : ''} LIMIT ${PROBE_CAP})`,
    );
    let rows = 0;
    for (const v of values) {
      const key = `${d.column}\u0000${v}\u0000${filter.from ?? ''}\u0000${filter.to ?? ''}`;
      let n = estimates.get(key, app);
      if (n === undefined) {
        const params: Params = { v };
        if (filter.from !== null) params.from = filter.from;
        if (filter.to !== null) params.to = filter.to;
        n = (probe.get(params) as { n: number }).n;
        estimates.set(key, n, app);
      }
      rows += n;
    }
    const share = values.length / d.size;
    if (!best || rows < best.rows || (rows === best.rows && share < best.share)) best = { column: d.column, values, rows, share };
  }
  return best;
}

function toItem(r: ActionRow, pending: ReadonlySet<string>): TimelineItem {
  return {
    id: r.id,
    user_id: r.user_id,
    enrollment_id: r.enrollment_id,
    action_type: r.action_type as ActionType,
    target_type: r.target_type as TargetType | null,
    target_id: r.target_id,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    source_system: r.source_system as SourceSystem | null,
    source_event_id: r.source_event_id,
    idempotency_key: r.idempotency_key,
    occurred_at: r.occurred_at,
    userName: r.userName,
    courseName: r.courseName,
    cohortName: r.cohortName,
    pending: pending.has(r.id),
  };
}

/** Ids among `ids` that an action.record mutation still waiting in the outbox created. */
function pendingActionIds(app: AppDb, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const rows = cachedStatement(
    app.sqlite,
    `SELECT json_extract(args, '$.id') AS id FROM outbox
     WHERE name = 'action.record' AND json_extract(args, '$.id') IN (SELECT value FROM json_each(@ids))`,
  ).all({ ids: JSON.stringify(ids) }) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** The SQL and parameters of one page (exported so a test can EXPLAIN the plan it gets). */
export function planTimelinePage(app: AppDb, input: PageInput): { sql: string; params: Params } {
  const params: Params = { limit: input.limit + 1 };
  const driving = drivingDimension(app, input);
  const where = sharedConditions(input, params, driving?.column ?? null);
  if (input.after !== null) {
    params.afterAt = input.after.occurredAt;
    params.afterId = input.after.id;
    where.push('(occurred_at, id) < (@afterAt, @afterId)');
  }
  const order = ' ORDER BY occurred_at DESC, id DESC LIMIT @limit';
  let source: string;
  if (driving === null) {
    source = `SELECT ${ACTION_COLUMNS} FROM user_action${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${order}`;
  } else {
    const arms = driving.values.map((v, i) => {
      params[`v${i}`] = v;
      return `SELECT * FROM (SELECT ${ACTION_COLUMNS} FROM user_action WHERE ${[`${driving.column} = @v${i}`, ...where].join(' AND ')}${order})`;
    });
    source = arms.length === 1 ? arms[0]! : `${arms.join(' UNION ALL ')}${order}`;
  }
  // The enrollment's course and cohort name what the action was about ("Forum of …"), not its ids.
  const sql = `SELECT a.*, u.name AS userName, e.course_name AS courseName, c.name AS cohortName FROM (${source}) a
    LEFT JOIN user u ON u.id = a.user_id LEFT JOIN enrollment e ON e.id = a.enrollment_id LEFT JOIN cohort c ON c.id = e.cohort_id
    ORDER BY a.occurred_at DESC, a.id DESC`;
  return { sql, params };
}

export function timelinePage(app: AppDb, input: PageInput): CallOutput<'timeline.page'> {
  const { sql, params } = planTimelinePage(app, input);
  const rows = cachedStatement(app.sqlite, sql).all(params) as ActionRow[];
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const pending = pendingActionIds(
    app,
    page.map((r) => r.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((r) => toItem(r, pending)),
    nextCursor: more && last ? { occurredAt: last.occurred_at, id: last.id } : null,
  };
}

/**
 * Actions per calendar day in the reader's time zone ('YYYY-MM-DD', ascending; days without
 * actions left out) for the same filter. Counted day by day over index ranges rather than with
 * GROUP BY: the grouping sorts every matching row (about a second at 1,000,000 actions), while a
 * count over an index range only steps through it. Each day's [start, end) instants come from
 * the zone's own calendar (timeZones.ts), so a day with a daylight-saving change is 23 or 25
 * hours long, as it is for the reader.
 */
export function dailyCounts(app: AppDb, filter: ParsedInput<'timeline.dailyCounts'>): CallOutput<'timeline.dailyCounts'> {
  const params: Params = {};
  const driving = drivingDimension(app, filter);
  const where = sharedConditions(filter, params, driving?.column ?? null);
  const whereSql = where.map((w) => ` AND ${w}`).join('');
  const bound = (fn: 'min' | 'max') =>
    (
      cachedStatement(app.sqlite, `SELECT ${fn}(occurred_at) AS t FROM user_action WHERE 1${whereSql}`).get(params) as {
        t: string | null;
      }
    ).t;
  const lo = bound('min');
  const hi = bound('max');
  if (lo === null || hi === null) return { days: [] };
  params.days = JSON.stringify(
    dayRanges(dayInZone(lo, filter.timeZone), dayInZone(hi, filter.timeZone), filter.timeZone).map((d) => [d.day, d.start, d.end]),
  );
  const inDay = 'occurred_at >= d.start AND occurred_at < d.end';
  let count: string;
  if (driving === null) {
    count = `(SELECT count(*) FROM user_action WHERE ${inDay}${whereSql})`;
  } else {
    count = driving.values
      .map((v, i) => {
        params[`v${i}`] = v;
        return `(SELECT count(*) FROM user_action WHERE ${driving.column} = @v${i} AND ${inDay}${whereSql})`;
      })
      .join(' + ');
  }
  const sql = `WITH d(day, start, end) AS (SELECT value->>0, value->>1, value->>2 FROM json_each(@days))
    SELECT day, count FROM (SELECT d.day AS day, ${count} AS count FROM d) WHERE count > 0 ORDER BY day`;
  return { days: cachedStatement(app.sqlite, sql).all(params) as { day: string; count: number }[] };
}
