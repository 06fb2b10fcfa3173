import { ROW_ID_MAX, ROW_ID_PATTERN, TIMESTAMP_MAX, TIMESTAMP_MIN } from '../limits.js';
import type { Change } from '../protocol.js';
import { isStorableTime, isWellFormedText, jsonProblem } from '../storable.js';
import { columnDecls, SYNC_TABLES, type ColumnDecl, type SyncTableName } from './tables.js';

// The pull decoder checks every change it applies, and a first sync applies a million. Through
// zod that check cost 6-10 µs a change (a third of the client's time a row on the large set,
// `bench/floor.ts` against the sync), most of it allocation. This is the same check derived from
// the same declaration (tables.ts) as plain predicates: it answers true only for a change that
// the zod schema (`Change`, protocol.ts) certainly accepts unchanged, and false for anything in
// doubt, which then goes through zod as before (for its verdict and its message). So it can make
// a check faster but never more lenient; `acceptsChange.test.ts` holds it to that.

const isRowId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= ROW_ID_MAX && ROW_ID_PATTERN.test(v);

// A subset of zod's `iso.datetime({ offset: false })`: seconds always present, a fraction of any
// length, `Z`. Day-of-month validity is checked below (Date.parse would roll 02-30 into March).
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

// The range check as text: once ISO_UTC matched, the first 19 characters are a fixed-width
// date and time, and their text order is time order. TIMESTAMP_MIN and TIMESTAMP_MAX fall on
// whole seconds, so a fraction (of any length) can never carry a time across either bound.
// Exactly isStorableTime's answer for such a string, without a Date.parse: that was a fifth of
// this check's cost on a first sync's million timestamps.
const SECONDS = 19;
const whole = (iso: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.0*Z$/.test(iso);
const MIN_SECONDS = whole(TIMESTAMP_MIN) ? TIMESTAMP_MIN.slice(0, SECONDS) : null;
const MAX_SECONDS = whole(TIMESTAMP_MAX) ? TIMESTAMP_MAX.slice(0, SECONDS) : null;

function inRange(v: string): boolean {
  if (MIN_SECONDS === null || MAX_SECONDS === null) return isStorableTime(v);
  const s = v.slice(0, SECONDS);
  return s >= MIN_SECONDS && s < MAX_SECONDS;
}

function isStorableTimestamp(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = ISO_UTC.exec(v);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const days = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= days && inRange(v);
}

/** At least `min` code points (zod's `.min` counts code points); a UTF-16 unit count of 2×min or more always is. */
const hasCodePoints = (s: string, min: number): boolean => s.length >= 2 * min || [...s].length >= min;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;

type Check = (v: unknown) => boolean;

function columnCheck(c: ColumnDecl): Check {
  const base = ((): Check => {
    switch (c.kind) {
      case 'id':
        return isRowId;
      case 'text':
        return (v) => typeof v === 'string' && v.length <= c.max && (c.min === 0 || hasCodePoints(v, c.min)) && isWellFormedText(v);
      case 'enum': {
        const values = new Set<unknown>(c.values);
        return (v) => values.has(v);
      }
      case 'enumArray': {
        const values = new Set<unknown>(c.values);
        return (v) => Array.isArray(v) && v.every((x) => values.has(x));
      }
      case 'jsonObject':
        return (v) => isPlainObject(v) && jsonProblem(v) === null;
      case 'timestamp':
        return isStorableTimestamp;
      case 'version':
        return (v) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
    }
  })();
  return c.nullable ? (v) => v === null || base(v) : base;
}

/** Own enumerable keys are exactly `keys` (no more, none missing). */
function hasExactly(o: Record<string, unknown>, keys: readonly string[]): boolean {
  let n = 0;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) return false;
    n++;
  }
  if (n !== keys.length) return false;
  for (const k of keys) if (!Object.hasOwn(o, k)) return false;
  return true;
}

/** Exactly the declared columns, each holding what its declaration allows. */
function rowCheck(table: SyncTableName): Check {
  const columns = columnDecls(table).map(([name, c]) => [name, columnCheck(c)] as const);
  const names = columns.map(([name]) => name);
  // A loop, not `every`: this runs for each of a first sync's million rows.
  return (row) => {
    if (!isPlainObject(row) || !hasExactly(row, names)) return false;
    for (const [name, check] of columns) if (!check(row[name])) return false;
    return true;
  };
}

const ROW_CHECKS = Object.fromEntries(SYNC_TABLES.map((t) => [t, rowCheck(t)])) as Record<SyncTableName, Check>;
const TABLE_NAMES = new Set<unknown>(SYNC_TABLES);

/**
 * True only when `raw` is a change the `Change` schema accepts and would return as it is, so the
 * caller may use it without parsing; false means "ask zod" (it may still be valid).
 */
export function acceptsChange(raw: unknown): raw is Change {
  if (!isPlainObject(raw)) return false;
  switch (raw.op) {
    case 'upsert':
      return TABLE_NAMES.has(raw.table) && hasExactly(raw, ['table', 'op', 'row']) && ROW_CHECKS[raw.table as SyncTableName](raw.row);
    case 'delete':
      return TABLE_NAMES.has(raw.table) && hasExactly(raw, ['table', 'op', 'id']) && isRowId(raw.id);
    case 'enter':
    case 'leave':
      return hasExactly(raw, ['op', 'userId']) && isRowId(raw.userId);
    default:
      return false;
  }
}
