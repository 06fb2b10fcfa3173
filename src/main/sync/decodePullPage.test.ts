import { describe, expect, it } from 'vitest';
import { decodePullPage, peekPullHead } from './decodePullPage.js';

// peekPullHead reads the next cursor from a page's first bytes so the next page can be asked for
// before this one is parsed. It is only a hint: pullPages checks it against the parsed head.

const encode = (s: string): ArrayBuffer => {
  const bytes = new TextEncoder().encode(s);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const DB = '6f1c1f52-3c1a-4e51-9f8e-3a1b2c3d4e5f';
const head = { databaseId: DB, cursor: 'c2', hasMore: true, lastMutationId: 0, remaining: 10 };
const change = { table: 'cohort', op: 'delete', id: 'coh_1' };

describe('peekPullHead: the next cursor from a page’s first bytes', () => {
  it('reads the cursor and hasMore of a page as the server writes it (head first, changes last), agreeing with the full parse', () => {
    const bytes = encode(`${JSON.stringify(head).slice(0, -1)},"changes":${JSON.stringify(Array(2000).fill(change))}}`);
    expect(peekPullHead(bytes)).toEqual({ cursor: 'c2', hasMore: true });
    const full = decodePullPage(bytes);
    expect({ cursor: full.cursor, hasMore: full.hasMore }).toEqual(peekPullHead(bytes));
  });

  it('gives no hint (null) when the changes come first, the head is not valid, or the bytes are not JSON', () => {
    expect(peekPullHead(encode(JSON.stringify({ changes: [change], ...head })))).toBeNull();
    expect(peekPullHead(encode(`{"databaseId":"${DB}","cursor":7,"hasMore":true,"lastMutationId":0,"remaining":1,"changes":[]}`))).toBeNull();
    expect(peekPullHead(encode('<html>proxy error ,"changes": </html>'))).toBeNull();
    expect(peekPullHead(new ArrayBuffer(0))).toBeNull();
  });

  it('a cursor holding the marker text inside its string is still read whole (escaped quotes never match the marker)', () => {
    const tricky = { ...head, cursor: 'x,"changes":[]}' };
    const bytes = encode(`${JSON.stringify(tricky).slice(0, -1)},"changes":[]}`);
    // In JSON text a quote inside a string is escaped, so the marker only ever matches the real field.
    expect(peekPullHead(bytes)).toEqual({ cursor: tricky.cursor, hasMore: true });
    expect(decodePullPage(bytes).cursor).toBe(tricky.cursor);
  });
});

describe('decodePullPage: a page as ASCII bytes (as the server sends it) or as UTF-8', () => {
  it('reads the same changes from both forms of a page with names beyond ASCII', () => {
    const named = { table: 'user', op: 'upsert', row: { id: 'usr_1', name: 'Guðmundsdóttir Σταύρου 李 😀' } };
    const page = { ...head, changes: [named, change] };
    const asUtf8 = encode(JSON.stringify(page));
    const asAscii = encode(JSON.stringify(page).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    expect(new Uint8Array(asAscii).every((b) => b < 0x80)).toBe(true);
    expect(decodePullPage(asAscii)).toEqual(decodePullPage(asUtf8));
    expect(decodePullPage(asAscii).changes[0]).toEqual(named);
  });
});
