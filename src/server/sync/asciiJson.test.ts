import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatAsciiJson } from './asciiJson.js';

// Pull pages go out as ASCII-only JSON (asciiJson.ts): the same JSON value, every character
// beyond ASCII as a \u escape, so a client can read the bytes as one-byte text.

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('concatAsciiJson: pieces of JSON text joined as ASCII bytes of the same JSON', () => {
  it('any JSON value, with text from the whole of Unicode, comes out ASCII and parses (as latin1 text) to the same value', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const value = fc.jsonValue({ maxDepth: 3 }).chain((v) => fc.record({ v: fc.constant(v), s: text, names: fc.array(text, { maxLength: 5 }) }));
    fc.assert(
      fc.property(value, (v) => {
        const json = utf8(JSON.stringify(v));
        const whole = concatAsciiJson([json]);
        expect(isAscii(whole)).toBe(true);
        expect(JSON.parse(whole.toString('latin1'))).toEqual(JSON.parse(json.toString('utf8')));
        // As a page is made: the head, the changes from the database, the closing brace.
        const page = concatAsciiJson([utf8('{"head":"é","changes":'), json, utf8('}')]);
        expect(isAscii(page)).toBe(true);
        expect(JSON.parse(page.toString('latin1'))).toEqual({ head: 'é', changes: JSON.parse(json.toString('utf8')) });
      }),
      { numRuns: 300 },
    );
  });

  it('writes BMP characters as one \\u escape and others as a surrogate pair, lowercase hex', () => {
    const out = concatAsciiJson([utf8('{"n":"Guðmundsdóttir Σ 李 😀"}')]).toString('latin1');
    expect(out).toBe('{"n":"Gu\\u00f0mundsd\\u00f3ttir \\u03a3 \\u674e \\ud83d\\ude00"}');
  });

  it('reads bytes that are not UTF-8 (a lone continuation byte, an overlong form, a cut-off sequence) as \\ufffd, as TextDecoder does', () => {
    for (const bad of [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const bytes = Buffer.concat([utf8('["a'), Buffer.from(bad), utf8('b"]')]);
      const out = concatAsciiJson([bytes]);
      expect(isAscii(out)).toBe(true);
      const [s] = JSON.parse(out.toString('latin1')) as [string];
      // TextDecoder may read a run of bad bytes as fewer U+FFFD; the text around them is the same.
      const collapse = (t: string) => t.replace(/\ufffd+/g, '\ufffd');
      expect(collapse(s)).toBe('a\ufffdb');
      expect(collapse(s)).toBe(collapse((JSON.parse(new TextDecoder().decode(bytes)) as [string])[0]));
    }
  });

  it('is Buffer.concat itself when every piece is ASCII already', () => {
    const parts = [utf8('{"a":'), utf8('"plain \\u00e9 text"'), utf8('}')];
    expect(concatAsciiJson(parts).equals(Buffer.concat(parts))).toBe(true);
  });
});
