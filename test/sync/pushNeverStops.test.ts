import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/createCore.js';
import type { Core } from '../../src/main/core/coreApi.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { TOO_LARGE_MESSAGE } from '../../src/main/sync/tooLarge.js';
import { apiClient } from '../../src/server/testing/httpClient.js';
import { SEED, seedLocal, snapshotDb } from '../shell/seedLocal.js';
import {
  championOn,
  COORDINATOR,
  leftovers,
  localDump,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  SYNC_BACKENDS,
  type TestServer,
  type World,
} from './harness.js';

// Issue 11, findings 10 and 11: one local edit, or many ordinary ones, can no longer jam the
// outbox. A value the contract refuses is refused at the edge naming the field; one that reaches
// the server anyway (a hand-built push, a database rule the contract does not know) is that
// mutation's `rejected`, the rest of the batch applied, never a 500; pushes are bounded by bytes,
// halve on 413, and a change that alone is too large becomes a conflict here.

const nested = (depth: number): Record<string, unknown> => {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
};
const text = (n: number, seed: number) => Array.from({ length: n }, (_, i) => String.fromCharCode(97 + ((i * 7 + seed) % 26))).join('');

describe.each(SYNC_BACKENDS)('push never stops on one mutation (%s)', (backend) => {
  let s: TestServer;
  let world: World;

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 12, cohorts: 2, champions: 10 });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finding 11: 150 note saves of ~19,000 characters (over 5 MiB together) sync in byte-bounded pushes', async () => {
    const c = await newClient(s.url);
    try {
      await c.engine.syncNow();
      const id = world.champions[0]!;
      let last = '';
      for (let i = 0; i < 150; i++) {
        last = text(19_000, i);
        c.local.setNotes({ id, notes: last });
      }
      expect(await c.engine.syncNow()).toMatchObject({ phase: 'idle', error: null, pending: 0, conflicts: 0 });
      const server = await serverDump(s);
      expect(championOn(server, id)).toMatchObject({ notes: last });
      expect(localDump(c.app)).toEqual(server);
      expect(leftovers(c.app).outbox).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('a 413 halves the batch until it fits; a change that alone is too large becomes a conflict here and the others apply', async () => {
    const LIMIT = 100 * 1024;
    let refusedPushes = 0;
    const small: typeof fetch = async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const size = typeof init?.body === 'string' ? Buffer.byteLength(init.body) : 0;
      if (url.endsWith('/v1/sync/push') && size > LIMIT) {
        refusedPushes++;
        return new Response(JSON.stringify({ error: { code: 'too_large', message: 'body: over the limit', field: 'body' } }), {
          status: 413,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fetch(input, init);
    };
    const c = await newClient(s.url, { fetch: small });
    try {
      await c.engine.syncNow();
      const [a, b, huge] = [world.champions[1]!, world.champions[2]!, world.champions[3]!];
      for (let i = 0; i < 6; i++) c.local.setNotes({ id: a, notes: text(19_000, i) });
      // 20,000 control characters: each is six bytes of JSON (\u0001), twice (notes and base): ~240 KB.
      c.local.setNotes({ id: huge, notes: '\u0001'.repeat(20_000) });
      c.local.setNotes({ id: b, notes: 'after the huge one' });
      const status = await c.engine.syncNow();
      expect(status).toMatchObject({ phase: 'idle', error: null, pending: 0, conflicts: 1 });
      expect(refusedPushes).toBeGreaterThan(0);
      const [conflict] = c.local.listConflicts().conflicts;
      expect(conflict).toMatchObject({ entityId: huge, message: TOO_LARGE_MESSAGE });
      const server = await serverDump(s);
      expect(championOn(server, a)!.notes).toBe(text(19_000, 5));
      expect(championOn(server, b)!.notes).toBe('after the huge one');
      expect(championOn(server, huge)!.notes).toBe('');
      expect(localDump(c.app)).toEqual(server);
    } finally {
      await c.close();
    }
  });

  it('finding 10: a hand-built push with a NUL in notes, a year-0000 move and a database-refused value: each rejected naming the field, the rest applied, no 500', async () => {
    const api = apiClient(s.url);
    const login = await api.post<{ token: string; databaseId: string }>('/v1/auth/login', {
      email: COORDINATOR.email,
      password: COORDINATOR.password,
    });
    const token = login.body.token;
    // A rule the contract does not know (a later constraint, a trigger): the database refuses the value.
    await s.server.admin.database.write(async (tx) => {
      await tx.rows(sql`CREATE OR REPLACE FUNCTION afh_test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.notes LIKE '%poison-22%' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '22023'; END IF;
              IF NEW.notes LIKE '%poison-23%' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '23514', CONSTRAINT = 'champion_notes_poison'; END IF;
              RETURN NEW; END $$`);
      await tx.rows(sql`CREATE TRIGGER afh_test_poison BEFORE UPDATE ON champion FOR EACH ROW EXECUTE FUNCTION afh_test_poison()`);
    });
    const [c4, c5, c6, c7, c8] = world.champions.slice(4, 9) as [string, string, string, string, string];
    const clientId = crypto.randomUUID();
    const r = await api.post<{ results: { id: number; status: string; code?: string; field?: string }[]; lastMutationId: number }>(
      '/v1/sync/push',
      {
        clientId,
        databaseId: login.body.databaseId,
        mutations: [
          { id: 1, name: 'champion.setNotes', args: { id: c4, notes: 'before', baseNotes: '' } },
          { id: 2, name: 'champion.setNotes', args: { id: c5, notes: 'a\u0000b', baseNotes: '' } },
          {
            id: 3,
            name: 'champion.move',
            args: { id: c6, from: 'candidate', to: 'selected', at: '0000-01-01T00:00:00Z', reason: null, baseVersion: 1 },
          },
          { id: 4, name: 'champion.setNotes', args: { id: c7, notes: 'poison-22', baseNotes: '' } },
          { id: 5, name: 'champion.setNotes', args: { id: c8, notes: 'poison-23', baseNotes: '' } },
          {
            id: 6,
            name: 'action.record',
            args: {
              id: 'act_deep_1',
              userId: world.members[0],
              enrollmentId: null,
              actionType: 'viewed_module',
              targetType: null,
              targetId: null,
              metadata: nested(17),
              occurredAt: '2026-02-01T00:00:00Z',
              idempotencyKey: 'k-deep-1',
            },
          },
          { id: 7, name: 'champion.setNotes', args: { id: c4, notes: 'after', baseNotes: 'before' } },
        ],
      },
      token,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.lastMutationId).toBe(7);
    expect(r.body.results.map((x) => [x.id, x.status, x.code ?? null, x.field ?? null])).toEqual([
      [1, 'applied', null, null],
      [2, 'rejected', 'invalid_args', 'args.notes'],
      [3, 'rejected', 'invalid_args', 'args.at'],
      [4, 'rejected', 'invalid_args', 'args'],
      [5, 'rejected', 'invalid_args', 'args.notes'],
      [6, 'rejected', 'invalid_args', 'args.metadata'],
      [7, 'applied', null, null],
    ]);
    const server = await serverDump(s);
    expect(championOn(server, c4)!.notes).toBe('after');
    for (const c of [c5, c7, c8]) expect(championOn(server, c)!.notes).toBe('');
    await s.server.admin.database.write((tx) => tx.rows(sql`DROP TRIGGER afh_test_poison ON champion`));
  });
});

describe('finding 10 at the edges: a NUL in notes or the year 0000 is refused naming the field, and nothing is queued', () => {
  let dir: string;
  let file: string;
  let core: Core;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'afh-edge-'));
    file = seedLocal(dir);
    core = await createCore({ dataDir: dir, tokenStore: memoryTokenStore(), autoStart: false, logError: () => undefined });
  });
  afterAll(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('IPC: notes, reason, metadata and dates', async () => {
    const before = snapshotDb(file);
    for (const [channel, input, field] of [
      ['champion.setNotes', { id: SEED.championId, notes: 'a\u0000b' }, 'notes'],
      ['champion.setNotes', { id: SEED.championId, notes: 'broken \uD800' }, 'notes'],
      ['champion.create', { userId: 'usr_2_jose', cohortId: null, notes: '\u0000' }, 'notes'],
      ['champion.move', { id: SEED.championId, to: 'selected', reason: 'x\u0000' }, 'reason'],
      ['action.record', { userId: 'usr_1_maya', actionType: 'enrolled', occurredAt: '0000-01-01T00:00:00Z' }, 'occurredAt'],
      ['action.record', { userId: 'usr_1_maya', actionType: 'enrolled', occurredAt: '2026-04-02T10:00:00Z', metadata: { s: '\u0000' } }, 'metadata'],
    ] as const) {
      const result = await core.dispatch(channel, input);
      expect(result, `${channel} ${field}`).toMatchObject({ ok: false, error: { code: 'bad_request', field } });
    }
    expect(snapshotDb(file)).toEqual(before);
  });
});
