import type { PGlite } from '@electric-sql/pglite';

// A pull page is one text value of ~2 MB built inside the database (pullPage.ts). Through
// PGlite's query(), every byte of it is copied out of the wasm heap into a growing buffer, run
// through the protocol parser and decoded into a JS string, which the HTTP layer then encodes
// back into UTF-8 for the socket: measured on the scoped first sync, ~30 ms of a ~80 ms page.
// Here the same statement goes to PGlite as raw protocol messages (extended query: parse,
// bind, execute, sync) and the value comes back as the bytes Postgres wrote, ready to send.
// Only a single text value is read this way; everything else still goes through query().

const encoder = new TextEncoder();

/** A frontend message: a type byte, then an int32 length (itself included) and the body. */
function message(type: string, parts: Uint8Array[]): Buffer {
  const bodyLength = parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.allocUnsafe(5 + bodyLength);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + bodyLength, 1);
  let at = 5;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const cString = (s: string) => encoder.encode(`${s}\0`);
const int16 = (n: number) => {
  const b = Buffer.allocUnsafe(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(n);
  return b;
};

/** A parameter as the text Postgres reads it with (types inferred by the server, as query() leaves them). */
function paramText(value: unknown, index: number): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return encoder.encode(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return encoder.encode(String(value));
  throw new TypeError(`queryTextBytes: parameter $${index + 1} is a ${typeof value}; only text, numbers and booleans are sent this way`);
}

/** Parse, bind, execute and sync one statement, every parameter and result in text format. */
function extendedQuery(sql: string, params: readonly unknown[]): Buffer {
  const bound: Uint8Array[] = [cString(''), cString(''), int16(0), int16(params.length)];
  params.forEach((p, i) => {
    const text = paramText(p, i);
    if (text === null) bound.push(int32(-1));
    else bound.push(int32(text.length), text);
  });
  bound.push(int16(0));
  return Buffer.concat([
    message('P', [cString(''), cString(sql), int16(0)]),
    message('B', bound),
    message('E', [cString(''), int32(0)]),
    message('S', []),
  ]);
}

/** An ErrorResponse from the backend, with the fields callers look at (as pg's and PGlite's errors carry them). */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly severity: string | undefined,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

function backendError(body: Buffer): BackendError {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const type = String.fromCharCode(body[at]!);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(type, body.toString('utf8', at + 1, end));
    at = end + 1;
  }
  return new BackendError(fields.get('M') ?? 'the database refused the statement', fields.get('C'), fields.get('S'));
}

/**
 * The backend's answer to `extendedQuery`: the first column of its one row as bytes (a view
 * of `answer`, no copy), null for SQL NULL. Throws the statement's error, or when the answer
 * holds no row or more than one.
 */
function singleTextValue(answer: Buffer): Buffer | null {
  let value: Buffer | null = null;
  let rows = 0;
  let error: BackendError | null = null;
  let at = 0;
  while (at + 5 <= answer.length) {
    const type = String.fromCharCode(answer[at]!);
    const length = answer.readInt32BE(at + 1);
    const body = answer.subarray(at + 5, at + 1 + length);
    at += 1 + length;
    if (type === 'E') error ??= backendError(body);
    else if (type === 'D') {
      rows++;
      if (body.readInt16BE(0) < 1) continue;
      const size = body.readInt32BE(2);
      value = size < 0 ? null : body.subarray(6, 6 + size);
    }
  }
  if (at !== answer.length) throw new Error('queryTextBytes: the database answer ended inside a message');
  if (error) throw error;
  if (rows !== 1) throw new Error(`queryTextBytes: expected one row, the statement returned ${rows}`);
  return value;
}

/**
 * Run one statement that returns one row with one text column, and get that value as UTF-8
 * bytes. Call only where this connection is not busy (inside one of PGlite's transactions,
 * which hold its lock): the messages bypass PGlite's own query queue.
 */
export async function queryTextBytes(client: PGlite, sql: string, params: readonly unknown[]): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  // Each chunk is a view into the wasm heap that the next write reuses: copied as it comes.
  await client.execProtocolRawStream(extendedQuery(sql, params), { syncToFs: false, onRawData: (chunk) => chunks.push(Buffer.from(chunk)) });
  return singleTextValue(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
}
