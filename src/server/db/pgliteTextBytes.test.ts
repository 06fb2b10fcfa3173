import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, queryTextBytes } from './pgliteTextBytes.js';

// The raw-protocol path a pull page's bytes take on PGlite (pgliteTextBytes.ts), against a real
// PGlite: the same value query() gives, parameters bound as query() binds them, errors that
// name what the database said, and a connection that stays usable afterwards.

let db: PGlite;
beforeAll(async () => {
  db = new PGlite();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, body text);
                 INSERT INTO t VALUES (1, 'plain'), (2, 'Ana Yılmaz — 漢字 😀 "quoted" \\ back'), (3, NULL);`);
});
afterAll(async () => {
  await db.close();
});

const inTx = <T>(fn: () => Promise<T>) => db.transaction(fn);

describe('queryTextBytes', () => {
  it('returns the UTF-8 bytes of the text value query() returns, non-ASCII and escapes included', async () => {
    for (const id of [1, 2]) {
      const bytes = await inTx(() => queryTextBytes(db, 'SELECT body FROM t WHERE id = $1', [id]));
      const viaQuery = (await db.query<{ body: string }>('SELECT body FROM t WHERE id = $1', [id])).rows[0]!.body;
      expect(bytes).not.toBeNull();
      expect(bytes!.equals(Buffer.from(viaQuery, 'utf8'))).toBe(true);
    }
  });

  it('binds text, number, bigint, boolean and null parameters as query() does', async () => {
    const bytes = await inTx(() =>
      queryTextBytes(db, "SELECT concat_ws('|', $1::text, $2::int + 1, $3::bigint, $4::boolean, coalesce($5::text, 'null')) AS v", [
        'naïve 😀',
        41,
        9007199254740993n,
        true,
        null,
      ]),
    );
    expect(bytes!.toString('utf8')).toBe('naïve 😀|42|9007199254740993|t|null');
  });

  it('returns null for SQL NULL, and a large value whole (the answer spans many protocol chunks)', async () => {
    expect(await inTx(() => queryTextBytes(db, 'SELECT body FROM t WHERE id = 3', []))).toBeNull();
    const big = await inTx(() => queryTextBytes(db, "SELECT string_agg(md5(g::text) || 'é', ',') AS v FROM generate_series(1, 100000) g", []));
    const viaQuery = (await db.query<{ v: string }>("SELECT string_agg(md5(g::text) || 'é', ',') AS v FROM generate_series(1, 100000) g")).rows[0]!.v;
    expect(big!.length).toBeGreaterThan(3_000_000);
    expect(big!.equals(Buffer.from(viaQuery, 'utf8'))).toBe(true);
  });

  it("raises the database's error with its SQLSTATE, the transaction rolls back, and the connection goes on working", async () => {
    const failing = db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (10, 'written before the error')");
      return queryTextBytes(db, 'SELECT (1 / (id - id))::text FROM t WHERE id = 1', []);
    });
    await expect(failing).rejects.toBeInstanceOf(BackendError);
    await expect(failing).rejects.toMatchObject({ code: '22012', message: 'division by zero' });
    expect((await db.query('SELECT count(*)::int AS n FROM t WHERE id = 10')).rows).toEqual([{ n: 0 }]);
    expect((await db.query<{ body: string }>('SELECT body FROM t WHERE id = 1')).rows).toEqual([{ body: 'plain' }]);
  });

  it('refuses a statement that returns no row or several, and a parameter it cannot send as text', async () => {
    await expect(inTx(() => queryTextBytes(db, 'SELECT body FROM t WHERE id = 99', []))).rejects.toThrow(
      'expected one row, the statement returned 0',
    );
    await expect(inTx(() => queryTextBytes(db, 'SELECT body FROM t WHERE id IN (1, 2)', []))).rejects.toThrow(
      'expected one row, the statement returned 2',
    );
    await expect(inTx(() => queryTextBytes(db, 'SELECT $1::text AS v', [{ not: 'text' }]))).rejects.toThrow('parameter $1 is a object');
  });
});
