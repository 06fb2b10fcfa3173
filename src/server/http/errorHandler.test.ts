import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createPasswordHasher, TEST_PASSWORD_COST } from '../auth/passwords.js';
import type { Database } from '../db/database.js';
import { buildApp } from './app.js';

// An unexpected failure (here: the database throwing an error that carries SQL) must reach
// the client only as a plain 500 `internal`, never with the stack trace or the SQL.

const failing: Database = {
  kind: 'pglite',
  read: async () => {
    throw new Error('relation "secret_table" does not exist: SELECT * FROM secret_table WHERE token_hash = $1');
  },
  write: async () => {
    throw new Error('duplicate key value violates unique constraint: INSERT INTO session VALUES (...)');
  },
  vacuumAnalyze: async () => undefined,
  close: async () => undefined,
};

describe('error handler', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp({ db: failing, hasher: createPasswordHasher({ cost: TEST_PASSWORD_COST }), logger: false, tokenTtlSeconds: 60 });
  });
  afterAll(async () => app.close());

  it('turns a database failure into 500 internal with plain words and no SQL or stack', async () => {
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errors.push(a); // the failure is logged server-side, not sent
    try {
      for (const [url, payload] of [
        ['/v1/auth/login', { email: 'a@b.c', password: 'x' }],
        ['/v1/sync/pull', { clientId: '2f1c0000-0000-4000-8000-000000000000', cursor: null }],
      ] as const) {
        const r = await app.inject({ method: 'POST', url, payload, headers: { authorization: 'Bearer t' } });
        expect(r.statusCode).toBe(500);
        expect(r.json()).toEqual({ error: { code: 'internal', message: expect.any(String) } });
        expect(r.body).not.toMatch(/SELECT|INSERT|secret_table|constraint|\.ts:\d+|at /);
      }
    } finally {
      console.error = orig;
    }
    expect(errors.length).toBe(2);
  });
});
