import { isAscii } from 'node:buffer';

// Pull pages go out as ASCII-only JSON: every character beyond ASCII is written as a \u escape
// (two, a surrogate pair, above U+FFFF), which is the same JSON value (docs/protocol.md, "Pull").
// Why: a client turns a page into a JS string before JSON.parse. One name like "Guðmundsdóttir"
// among 5,000 rows makes UTF-8 decoding build the whole page as a two-byte string, and parse
// it as one; ASCII bytes become a one-byte string with a plain copy. Measured on the scoped
// coordinator's 17 pages (29.7 MB, 27,170 non-ASCII bytes): decoding and parsing took
// 291–403 ms as UTF-8, 98–253 ms as ASCII. The client is the slower end of a first sync,
// so that is time off it; escaping here is one pass over the bytes.

const HEX = '0123456789abcdef';
const BACKSLASH = 0x5c;
const U = 0x75;
const REPLACEMENT = 0xfffd;

/** The code point starting at `at` and its length in bytes; an invalid sequence reads as one U+FFFD byte. */
function codePointAt(bytes: Uint8Array, at: number): { cp: number; len: number } {
  const b0 = bytes[at]!;
  const cont = (k: number) => {
    const b = bytes[at + k];
    return b !== undefined && (b & 0xc0) === 0x80 ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = cont(1);
    if (c1 >= 0) return { cp: ((b0 & 0x1f) << 6) | c1, len: 2 };
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = cont(1);
    const c2 = cont(2);
    if (c1 >= 0 && c2 >= 0) {
      const cp = ((b0 & 0x0f) << 12) | (c1 << 6) | c2;
      // Not overlong, not a surrogate (CESU-8).
      if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) return { cp, len: 3 };
    }
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = cont(1);
    const c2 = cont(2);
    const c3 = cont(3);
    if (c1 >= 0 && c2 >= 0 && c3 >= 0) {
      const cp = ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      if (cp >= 0x10000 && cp <= 0x10ffff) return { cp, len: 4 };
    }
  }
  return { cp: REPLACEMENT, len: 1 };
}

function writeUnit(out: Buffer, at: number, unit: number): number {
  out[at] = BACKSLASH;
  out[at + 1] = U;
  for (let k = 0; k < 4; k++) out[at + 2 + k] = HEX.charCodeAt((unit >> (12 - 4 * k)) & 0xf);
  return at + 6;
}

interface Escapes {
  /** Where each non-ASCII character starts, its code point and its length in bytes. */
  at: number[];
  points: number[];
  lengths: number[];
  /** Bytes the escapes add. */
  extra: number;
}

function findEscapes(bytes: Buffer): Escapes {
  const e: Escapes = { at: [], points: [], lengths: [], extra: 0 };
  if (isAscii(bytes)) return e;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x80) continue;
    const { cp, len } = codePointAt(bytes, i);
    e.at.push(i);
    e.points.push(cp);
    e.lengths.push(len);
    e.extra += (cp > 0xffff ? 12 : 6) - len;
    i += len - 1;
  }
  return e;
}

/**
 * Pieces of JSON text joined into one buffer of ASCII bytes: each non-ASCII character (which in
 * JSON text can only be inside a string) becomes its \u escape; bytes that are not valid UTF-8
 * become \ufffd, as a decoder would read them. One allocation and one copy, like Buffer.concat:
 * on this kind of machine touching fresh memory is what costs (a separate escaped copy of a
 * 1.7 MB page measured ~8 ms, the scan ~1.3 ms).
 */
export function concatAsciiJson(parts: readonly Buffer[]): Buffer {
  const escapes = parts.map(findEscapes);
  if (escapes.every((e) => e.at.length === 0)) return Buffer.concat(parts);
  let size = 0;
  for (let p = 0; p < parts.length; p++) size += parts[p]!.length + escapes[p]!.extra;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const { at, points, lengths } = escapes[p]!;
    let from = 0;
    for (let k = 0; k < at.length; k++) {
      const i = at[k]!;
      const cp = points[k]!;
      o += part.copy(out, o, from, i);
      if (cp > 0xffff) {
        const v = cp - 0x10000;
        o = writeUnit(out, o, 0xd800 | (v >> 10));
        o = writeUnit(out, o, 0xdc00 | (v & 0x3ff));
      } else o = writeUnit(out, o, cp);
      from = i + lengths[k]!;
    }
    o += part.copy(out, o, from);
  }
  return out;
}
