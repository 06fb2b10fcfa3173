import { z } from 'zod';
import { JSON_MAX_DEPTH, METADATA_MAX_BYTES, TIMESTAMP_MAX, TIMESTAMP_MIN } from './limits.js';

// One definition of a value both databases can hold, shared by every entrance (ingest, push
// args, IPC, the pull decoder) through the row and mutation schemas. The server's CHECKs
// (server migration 0005_storable) say the same in SQL, so the server can never hold a row a
// laptop cannot store: SQLite's JSON functions stop at depth 1000 and PostgreSQL refuses NUL in
// text and jsonb, a lone surrogate in jsonb, and years outside its range.

// A NUL, or a UTF-16 surrogate without its partner (not a character; no UTF-8 encoding exists).
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE_CHAR = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const NOT_PLAIN_TEXT = 'must be plain text (no NUL character, no broken characters)';

/** True when `s` holds only characters both databases can store. */
export const isWellFormedText = (s: string): boolean => !UNSTORABLE_CHAR.test(s);

/**
 * Text a column can hold: well-formed and (when given) within the column's length. The maximum
 * counts UTF-16 code units, as a browser's `maxLength` and the server's CHECKs (server schema,
 * `lengthWithin`) do; zod's own `.max` counts code points since 4.6, which let an emoji string
 * of twice the limit through to a CHECK that refused it (a 500 at ingest). The minimum counts
 * code points, as PostgreSQL's `char_length` in the same CHECKs does.
 */
export function storableText(opts: { min?: number; max: number }): z.ZodString {
  let s = z.string();
  if (opts.min !== undefined && opts.min > 0) s = s.min(opts.min, opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
  return s
    .refine((v) => v.length <= opts.max, `must be at most ${opts.max} characters`)
    .refine(isWellFormedText, NOT_PLAIN_TEXT) as unknown as z.ZodString;
}

const T_MIN = Date.parse(TIMESTAMP_MIN);
const T_MAX = Date.parse(TIMESTAMP_MAX);
export const TIMESTAMP_RANGE_MESSAGE = `must lie between ${TIMESTAMP_MIN.slice(0, 10)} and ${TIMESTAMP_MAX.slice(0, 10)}`;

/** True when an ISO timestamp lies in [TIMESTAMP_MIN, TIMESTAMP_MAX). */
export const isStorableTime = (iso: string): boolean => {
  const t = Date.parse(iso);
  return Number.isFinite(t) && t >= T_MIN && t < T_MAX;
};

/** UTF-8 byte length without allocating (the renderer has no Buffer). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export type JsonProblem = { path: string; message: string };

/**
 * Why a JSON value could not be stored, or null: nesting deeper than JSON_MAX_DEPTH (an object
 * or array counts one level; `{}` is depth 1), text (keys included) that is not well-formed, a
 * number that is not finite, or a serialized size over `maxBytes`. The walk stops at the first
 * problem and never goes deeper than the limit, so a value nested 100,000 deep costs nothing.
 */
export function jsonProblem(value: unknown, maxBytes = METADATA_MAX_BYTES): JsonProblem | null {
  const size = { bound: 0 };
  const shape = jsonShapeProblem(value, 1, size);
  if (shape) return { path: shape.path.join(''), message: shape.message };
  if (size.bound <= maxBytes) return null;
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > maxBytes)
    return { path: '', message: `must be at most ${Math.floor(maxBytes / 1024)} KiB as JSON (this is ${Math.ceil(bytes / 1024)} KiB)` };
  return null;
}

/**
 * jsonProblem's walk. The size bound is gathered on the way (a character is at most 6 bytes of
 * JSON, `\u001f`), so the exact count (a stringify) runs only for values near the limit: the
 * pull decoder checks every action's metadata, and most are a few dozen bytes. A problem's path
 * is built as the walk unwinds, so a value without one allocates nothing for it.
 */
function jsonShapeProblem(v: unknown, depth: number, size: { bound: number }): { path: string[]; message: string } | null {
  if (v === null || typeof v === 'boolean') {
    size.bound += 5;
    return null;
  }
  if (typeof v === 'number') {
    size.bound += 24;
    return Number.isFinite(v) ? null : { path: [], message: 'must hold only finite numbers' };
  }
  if (typeof v === 'string') {
    size.bound += 6 * v.length + 2;
    return isWellFormedText(v) ? null : { path: [], message: NOT_PLAIN_TEXT };
  }
  if (typeof v !== 'object') return { path: [], message: 'must be JSON' };
  if (depth > JSON_MAX_DEPTH) return { path: [], message: `must not be nested more than ${JSON_MAX_DEPTH} levels deep` };
  size.bound += 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      size.bound += 1;
      const p = jsonShapeProblem(v[i], depth + 1, size);
      if (p) {
        p.path.unshift(`[${i}]`);
        return p;
      }
    }
    return null;
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    if (!isWellFormedText(k)) return { path: [], message: `keys ${NOT_PLAIN_TEXT}` };
    size.bound += 6 * k.length + 4;
    const p = jsonShapeProblem(o[k], depth + 1, size);
    if (p) {
      p.path.unshift(depth === 1 ? k : `.${k}`);
      return p;
    }
  }
  return null;
}

/**
 * A JSON object a row can carry (`metadata`). Problems are reported on the field itself (the
 * issue's path stays the field's), so every entrance names `metadata` rather than a key deep
 * inside it that a person never typed.
 */
export const StorableJsonObject = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const p = jsonProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: p.path ? `${p.message} (at ${p.path})` : p.message });
});
