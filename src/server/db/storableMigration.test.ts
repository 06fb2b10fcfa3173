import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { seedOlderRelease } from '../testing/migrationsUpTo.js';
import { startServer } from '../startServer.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { ROW_SCHEMAS } from '../../shared/rows.js';
import { wireRow } from './storedWire.js';

// A server database from the release before storable values (migrations 0000-0004), holding rows
// a laptop cannot store, upgraded by migration 0005_storable: each bad value is repaired or
// removed and logged (no personal data), every row then passes the app's row schema, and the
// CHECKs refuse new bad rows.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

const deep = (n: number): unknown => {
  let v: unknown = { leaf: true };
  for (let i = 1; i < n; i++) v = { a: v };
  return v;
};

const SEED: [string, unknown[]][] = [
  [
    `INSERT INTO "user" (id, email, name, roles, created_at, seq, wire) VALUES ($1, $2, $3, '[]'::jsonb, $4, 0, '')`,
    ['usr_ok', 'ok@x.org', 'Okay', '2026-01-01T00:00:00Z'],
  ],
  [
    `INSERT INTO "user" (id, email, name, roles, created_at, seq, wire) VALUES ($1, $2, $3, '[]'::jsonb, $4, 0, '')`,
    ['usr_empty', 'e@x.org', '', '2026-01-01T00:00:00Z'],
  ],
  [
    `INSERT INTO "user" (id, email, name, roles, created_at, seq, wire) VALUES ($1, $2, $3, '[]'::jsonb, $4, 0, '')`,
    ['usr_long', 'l@x.org', 'ü'.repeat(150) + '😀'.repeat(51), '1900-01-01T00:00:00Z'],
  ],
  [
    `INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at, seq, wire) VALUES ($1, 'usr_ok', 'enrolled', $2::jsonb, 'app', $3, 0, '')`,
    ['act_deep', JSON.stringify(deep(1000)), '2026-01-02T00:00:00Z'],
  ],
  [
    `INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at, seq, wire) VALUES ($1, 'usr_ok', 'enrolled', $2::jsonb, 'app', $3, 0, '')`,
    ['act_ok', JSON.stringify(deep(16)), '2026-01-02T00:00:00Z'],
  ],
  [
    `INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at, seq, wire) VALUES ($1, 'usr_ok', 'enrolled', $2::jsonb, 'app', $3, 0, '')`,
    ['act_old', '{}', '0001-01-01T00:00:00Z'],
  ],
];

describe.each(BACKENDS)('migration 0005_storable on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let backend: Backend | undefined;
  afterAll(async () => {
    await backend?.dispose();
  });

  it.skipIf(skip)(
    'repairs or removes stored rows a laptop cannot store, logs each without the old value, then enforces the rule with CHECKs',
    async () => {
      backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
      await seedOlderRelease(kind, backend.data, 4, SEED);

      const server = await startServer({ data: backend.data, port: 0 });
      try {
        const db = server.admin.database;
        const log = await db.read((tx) =>
          tx.rows<{ table_name: string; row_id: string; action: string }>(sql`SELECT table_name, row_id, action FROM storable_repair ORDER BY id`),
        );
        expect(log.map((l) => `${l.table_name}:${l.row_id}`).sort()).toEqual(
          ['user:usr_empty', 'user:usr_long', 'user:usr_long', 'user_action:act_deep', 'user_action:act_old'].sort(),
        );
        for (const l of log) expect(l.action).not.toMatch(/ü|😀|leaf/);

        // Every row now passes the app's own row schema, as a pull would decode it.
        for (const [table, id] of [
          ['user', 'usr_ok'],
          ['user', 'usr_empty'],
          ['user', 'usr_long'],
          ['user_action', 'act_deep'],
          ['user_action', 'act_ok'],
          ['user_action', 'act_old'],
        ] as const) {
          const row = await db.read((tx) => wireRow(tx, table, id));
          const parsed = ROW_SCHEMAS[table].safeParse(row);
          expect(parsed.success, `${table} ${id}: ${JSON.stringify(parsed.error?.issues[0])}`).toBe(true);
        }
        const long = await db.read((tx) => wireRow(tx, 'user', 'usr_long'));
        expect(long?.name.length).toBeLessThanOrEqual(200);
        expect(long?.created_at).toBe('2000-01-01T00:00:00.000Z');
        expect((await db.read((tx) => wireRow(tx, 'user', 'usr_empty')))?.name).toBe('(no name)');
        expect((await db.read((tx) => wireRow(tx, 'user_action', 'act_deep')))?.metadata).toEqual({});
        expect((await db.read((tx) => wireRow(tx, 'user_action', 'act_ok')))?.metadata).toEqual(deep(16));

        // The CHECKs: a bad row can no longer be written, even bypassing every zod schema.
        const refused = async (q: ReturnType<typeof sql>) => {
          try {
            await db.write((tx) => tx.rows(q));
            return 'written';
          } catch (e) {
            return String((e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code);
          }
        };
        expect(await refused(sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_x', 'x@x.org', '', '[]'::jsonb, now())`)).toBe(
          '23514',
        );
        expect(
          await refused(
            sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_x', 'x@x.org', ${'n'.repeat(201)}, '[]'::jsonb, now())`,
          ),
        ).toBe('23514');
        expect(
          await refused(
            sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_x', 'x@x.org', ${'😀'.repeat(101)}, '[]'::jsonb, now())`,
          ),
        ).toBe('23514');
        expect(
          await refused(
            sql`INSERT INTO user_action (id, user_id, action_type, metadata, occurred_at) VALUES ('act_x', 'usr_ok', 'enrolled', ${JSON.stringify(deep(17))}::jsonb, now())`,
          ),
        ).toBe('23514');
        expect(
          await refused(
            sql`INSERT INTO user_action (id, user_id, action_type, metadata, occurred_at) VALUES ('act_x', 'usr_ok', 'enrolled', ${JSON.stringify({ s: 'x'.repeat(17000) })}::jsonb, now())`,
          ),
        ).toBe('23514');
        expect(
          await refused(
            sql`INSERT INTO user_action (id, user_id, action_type, metadata, occurred_at) VALUES ('act_x', 'usr_ok', 'enrolled', '{}'::jsonb, '2100-01-01T00:00:00Z')`,
          ),
        ).toBe('23514');
        expect(
          await refused(
            sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_y', 'y@x.org', ${'😀'.repeat(100)}, '[]'::jsonb, now())`,
          ),
        ).toBe('written');
      } finally {
        await server.close();
      }
    },
  );
});
