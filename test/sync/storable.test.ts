import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listQuarantine } from '../../src/main/sync/pullQuarantine.js';
import { apiClient } from '../../src/server/testing/httpClient.js';
import { localDump, newClient, seedWorld, serverDump, startTestServer, SYNC_BACKENDS, type TestServer, type World } from './harness.js';

// Issue 11, findings 9 and 13: one upstream row can no longer stop every laptop. A value a laptop
// cannot store is refused at ingest (400 naming the field); one that reached the server anyway
// (a server without the storable CHECKs, which this test simulates by dropping them) is put aside
// by every laptop, which pulls everything else. An action with no upstream source is stored,
// never deduplicated, and synced.

const nested = (depth: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
};

describe.each(SYNC_BACKENDS)('storable values end to end (%s)', (backend) => {
  let s: TestServer;
  let world: World;
  let platformKey: string;
  let webhookKey: string;

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 6, cohorts: 1, champions: 0 });
    platformKey = (await s.server.admin.createIngestKey('platform')).secret;
    webhookKey = (await s.server.admin.createIngestKey('webhook')).secret;
  });
  afterAll(async () => {
    await s?.close();
  });

  const action = (over: Record<string, unknown> = {}) => ({
    user_id: world.members[0],
    action_type: 'viewed_module',
    source_system: 'webhook',
    occurred_at: '2026-02-01T10:00:00.000Z',
    ...over,
  });

  it('finding 9: ingest refuses metadata nested 1,000 deep, over 16 KiB, or with a NUL, and a year-0000 time, with 400 naming the field; nothing of the batch is written', async () => {
    const api = apiClient(s.url);
    const before = (await serverDump(s)).user_action.length;
    for (const [bad, field] of [
      [{ metadata: nested(1000) }, 'actions[1].metadata'],
      [{ metadata: { s: 'x'.repeat(17 * 1024) } }, 'actions[1].metadata'],
      [{ metadata: { s: 'a\u0000b' } }, 'actions[1].metadata'],
      [{ occurred_at: '0000-01-01T00:00:00Z' }, 'actions[1].occurred_at'],
      [{ source_event_id: 'evt\u0000' }, 'actions[1].source_event_id'],
    ] as const) {
      const r = await api.call('POST', '/v1/ingest/actions', {
        body: { actions: [action({ source_event_id: 'ok-1' }), action(bad)] },
        token: webhookKey,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect((r.body as { error: { field: string } }).error.field).toBe(field);
    }
    const ok = await api.call('POST', '/v1/ingest/actions', { body: { actions: [action({ metadata: nested(16) })] }, token: webhookKey });
    expect(ok.status).toBe(200);
    expect((await serverDump(s)).user_action.length).toBe(before + 1);
  });

  it('an emoji target_id of 101 characters (202 UTF-16 units, over 128) is a 400 naming actions[0].target_id, not a CHECK failure and a 500 (property seed 801552925)', async () => {
    const api = apiClient(s.url);
    const r = await api.call('POST', '/v1/ingest/actions', {
      body: { actions: [action({ source_event_id: 'emoji-1', target_id: '😀'.repeat(101) })] },
      token: webhookKey,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect((r.body as { error: { field: string } }).error.field).toBe('actions[0].target_id');
    const fits = await api.call('POST', '/v1/ingest/actions', {
      body: { actions: [action({ source_event_id: 'emoji-2', target_id: '😀'.repeat(64) })] },
      token: webhookKey,
    });
    expect(fits.status, JSON.stringify(fits.body)).toBe(200);
  });

  it('a CHECK the schema did not foresee refusing an ingested value is a 400 naming the row and column, and nothing of the batch is written', async () => {
    // Simulates the two rule books disagreeing again: a stricter CHECK than the zod schema.
    await s.server.admin.database.write(async (tx) => {
      await tx.rows(sql`ALTER TABLE user_action DROP CONSTRAINT user_action_target_id_storable`);
      await tx.rows(
        sql`ALTER TABLE user_action ADD CONSTRAINT user_action_target_id_storable CHECK (target_id IS NULL OR target_id <> 'refused-by-check')`,
      );
    });
    try {
      const before = (await serverDump(s)).user_action.length;
      const r = await apiClient(s.url).call('POST', '/v1/ingest/actions', {
        body: { actions: [action({ source_event_id: 'chk-1' }), action({ source_event_id: 'chk-2', target_id: 'refused-by-check' })] },
        token: webhookKey,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect((r.body as { error: { field: string } }).error.field).toBe('actions[1].target_id');
      expect((await serverDump(s)).user_action.length).toBe(before);
    } finally {
      await s.server.admin.database.write(async (tx) => {
        await tx.rows(sql`ALTER TABLE user_action DROP CONSTRAINT user_action_target_id_storable`);
        await tx.rows(
          sql.raw(
            `ALTER TABLE user_action ADD CONSTRAINT user_action_target_id_storable CHECK (target_id IS NULL OR (char_length(target_id) >= 0 AND char_length(target_id) <= 128 AND (octet_length(target_id) <= 128 OR char_length(target_id) + regexp_count(target_id, '[\\U00010000-\\U0010FFFF]') <= 128)))`,
          ),
        );
      });
    }
  });

  it('finding 13: actions with no source_system and no source_event_id are stored (never deduplicated) and a laptop pulls them', async () => {
    const api = apiClient(s.url);
    const bare = action({ source_system: null, source_event_id: null, metadata: { note: 'no upstream' } });
    const r1 = await api.call<{ results: { status: string; id: string }[] }>('POST', '/v1/ingest/actions', {
      body: { actions: [bare, bare] },
      token: platformKey,
    });
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    const r2 = await api.call<{ results: { status: string; id: string }[] }>('POST', '/v1/ingest/actions', {
      body: { actions: [bare] },
      token: platformKey,
    });
    const ids = [...r1.body.results, ...r2.body.results].map((x) => x.id);
    expect([...r1.body.results, ...r2.body.results].map((x) => x.status)).toEqual(['inserted', 'inserted', 'inserted']);
    expect(new Set(ids).size).toBe(3);
    const c = await newClient(s.url);
    try {
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle' });
      const local = localDump(c.app).user_action as { id: string; source_system: string | null; source_event_id: string | null }[];
      for (const id of ids) expect(local.find((a) => a.id === id)).toMatchObject({ source_system: null, source_event_id: null });
      expect(localDump(c.app)).toEqual(await serverDump(s));
    } finally {
      await c.close();
    }
  });

  it('finding 9: rows a laptop cannot store that are on the server anyway are quarantined; the rest, and later changes, still arrive', async () => {
    const c = await newClient(s.url);
    try {
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle' });
      // A server without the storable CHECKs (an older or another implementation of the protocol).
      await s.server.admin.database.write(async (tx) => {
        await tx.rows(sql`ALTER TABLE user_action DROP CONSTRAINT user_action_metadata_storable`);
        await tx.rows(sql`ALTER TABLE "user" DROP CONSTRAINT user_name_storable`);
        await tx.rows(
          sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_empty', 'empty@x.org', '', '[]'::jsonb, '2026-01-01T00:00:00Z')`,
        );
        await tx.rows(
          sql`INSERT INTO "user" (id, email, name, roles, created_at) VALUES ('usr_201', '201@x.org', ${'n'.repeat(201)}, '[]'::jsonb, '2026-01-01T00:00:00Z')`,
        );
        await tx.rows(
          sql`INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at) VALUES ('act_deep', ${world.members[1]!}, 'enrolled', ${JSON.stringify(nested(1000))}::jsonb, 'app', '2026-02-02T00:00:00Z')`,
        );
        await tx.rows(sql`UPDATE "user" SET name = 'Renamed after the bad rows' WHERE id = ${world.members[2]!}`);
      });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', error: null });
      expect(
        listQuarantine(c.app.sqlite)
          .map((q) => `${q.table}:${q.rowId}`)
          .sort(),
      ).toEqual(['user:usr_201', 'user:usr_empty', 'user_action:act_deep']);
      const users = localDump(c.app).user as { id: string; name: string }[];
      expect(users.find((u) => u.id === world.members[2])?.name).toBe('Renamed after the bad rows');

      // The rows are fixed upstream: the next pull brings them and their quarantine ends.
      await s.server.admin.database.write(async (tx) => {
        await tx.rows(sql`UPDATE "user" SET name = 'Now named' WHERE id IN ('usr_empty', 'usr_201')`);
        await tx.rows(sql`UPDATE user_action SET metadata = '{}'::jsonb WHERE id = 'act_deep'`);
      });
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', error: null });
      expect(listQuarantine(c.app.sqlite)).toEqual([]);
      expect(localDump(c.app)).toEqual(await serverDump(s));

      // A full resync starts the mirror over, and the quarantine with it.
      await s.server.admin.database.write((tx) => tx.rows(sql`UPDATE "user" SET name = '' WHERE id = 'usr_empty'`));
      await c.engine.syncNow();
      expect(listQuarantine(c.app.sqlite)).toHaveLength(1);
      await s.server.admin.database.write((tx) => tx.rows(sql`UPDATE "user" SET name = 'Fine' WHERE id = 'usr_empty'`));
      await c.engine.fullResync();
      expect(listQuarantine(c.app.sqlite)).toEqual([]);
    } finally {
      await c.close();
    }
  });
});
