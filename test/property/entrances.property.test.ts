import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/main/core/createCore.js';
import type { Core } from '../../src/main/core/coreApi.js';
import { tempDatabase } from '../../src/main/db/testing/tempDb.js';
import { PullPageApplier } from '../../src/main/sync/applyPullPage.js';
import { listQuarantine } from '../../src/main/sync/pullQuarantine.js';
import { readSyncState } from '../../src/main/db/syncState.js';
import { FIXTURE_DATABASE_ID } from '../../src/main/sync/testing/fixtures.js';
import { memoryTokenStore } from '../../src/main/sync/tokenStore.js';
import { wireRow } from '../../src/server/db/storedWire.js';
import { apiClient } from '../../src/server/testing/httpClient.js';
import { UserActionRow } from '../../src/shared/rows.js';
import { COORDINATOR, seedWorld, startTestServer, SYNC_BACKENDS, type TestServer, type World } from '../sync/harness.js';
import { SEED, seedLocal, snapshotDb } from '../shell/seedLocal.js';

// Issue 11, "Done when": generated values, hostile ones included (NUL, lone surrogates, JSON
// nested far too deep, huge strings, dates out of range), thrown at each entrance: ingest HTTP,
// push HTTP, IPC dispatch and the pull decoder. Each value is either accepted, and then storable
// in both databases (the server stored it and a laptop's SQLite applies the row it sends back),
// or refused with a 4xx / IPC error naming the field. Never a 500, never a stuck queue.
// AFH_PROPERTY_RUNS (default 15 per property) and AFH_PROPERTY_SEED lengthen or replay a run.

const RUNS = Number(process.env.AFH_PROPERTY_RUNS ?? 15);
const SEED_OPT = process.env.AFH_PROPERTY_SEED === undefined ? {} : { seed: Number(process.env.AFH_PROPERTY_SEED) };
const opts = { numRuns: RUNS, ...SEED_OPT };

const nested = (depth: number, leaf: unknown): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

/** Text, hostile or not. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('a\u0000b', '\uD800', 'x\uDC00y', '😀'.repeat(101), '\u0001\u007f', ''),
  fc.integer({ min: 150, max: 30_000 }).map((n) => 'ü'.repeat(n)),
);
/** Timestamps, in range and far out of it, well-formed and not. */
const timestamp = fc.oneof(
  fc.date({ min: new Date('1999-06-01T00:00:00Z'), max: new Date('2101-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z', 'yesterday', '2026-01-01T00:00:00+01:00'),
);
/** JSON objects: small and plain, deep, wide, or holding hostile text. */
const metadata = fc.oneof(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 20 })), { maxKeys: 5 }),
  fc.integer({ min: 10, max: 1200 }).map((d) => ({ deep: nested(d, 1) })),
  fc.integer({ min: 1, max: 40 }).map((n) => ({ big: 'x'.repeat(n * 1024) })),
  text.map((t) => ({ t })),
  fc.constant({ [String.fromCharCode(0xd800)]: 1 }),
);

const fieldNamed = (body: unknown): string | undefined => (body as { error?: { field?: string } } | null)?.error?.field;

describe.each(SYNC_BACKENDS)('every entrance, generated values (%s)', (backend) => {
  let s: TestServer;
  let world: World;
  let key: string;
  let token: string;
  let databaseId: string;
  const laptop = tempDatabase();
  let applier: PullPageApplier;

  beforeAll(async () => {
    s = await startTestServer(backend);
    world = await seedWorld(s, { members: 4, cohorts: 1, champions: 4 });
    key = (await s.server.admin.createIngestKey('platform')).secret;
    const login = await apiClient(s.url).post<{ token: string; databaseId: string }>('/v1/auth/login', {
      email: COORDINATOR.email,
      password: COORDINATOR.password,
    });
    token = login.body.token;
    databaseId = login.body.databaseId;
    applier = new PullPageApplier(laptop.app.sqlite);
    // The laptop needs the member the actions belong to, as a pull would have brought it.
    laptop.app.sqlite
      .prepare(`INSERT INTO user (id, email, name, roles, created_at) VALUES (?, 'm@x.org', 'M', '[]', '2026-01-01T00:00:00.000Z')`)
      .run(world.members[0]!);
  });
  afterAll(async () => {
    await s?.close();
    laptop.dispose();
  });

  it('ingest: accepted and then storable on both sides, or a 4xx naming the field', async () => {
    const api = apiClient(s.url);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(metadata, timestamp, fc.option(text, { nil: null }), async (meta, at, target) => {
        n++;
        const r = await api.call<{ results?: { id: string }[] }>('POST', '/v1/ingest/actions', {
          body: {
            actions: [
              {
                user_id: world.members[0],
                action_type: 'viewed_module',
                source_system: 'app',
                source_event_id: `p-${backend}-${n}`,
                occurred_at: at,
                metadata: meta,
                target_id: target,
              },
            ],
          },
          token: key,
        });
        expect(r.status).toBeLessThan(500);
        if (r.status !== 200) {
          expect(r.status).toBe(400);
          expect(fieldNamed(r.body)).toMatch(/^actions\[0\]\./);
          return;
        }
        const id = r.body.results![0]!.id;
        const row = await s.server.admin.database.read((tx) => wireRow(tx, 'user_action', id));
        expect(UserActionRow.safeParse(row).success).toBe(true);
        await applier.applyInSlices({
          databaseId: FIXTURE_DATABASE_ID,
          cursor: `i${n}`,
          hasMore: false,
          lastMutationId: 0,
          remaining: 0,
          changes: [{ table: 'user_action', op: 'upsert', row }],
        });
        expect(listQuarantine(laptop.app.sqlite)).toEqual([]);
      }),
      opts,
    );
  }, 120_000);

  it('push: each hostile mutation is applied or rejected naming its field, never a 500, and the next push still applies', async () => {
    const api = apiClient(s.url);
    const clientId = crypto.randomUUID();
    let next = 1;
    await fc.assert(
      fc.asyncProperty(text, metadata, timestamp, async (notes, meta, at) => {
        const first = next;
        const r = await api.post<{ results: { id: number; status: string; code?: string; field?: string }[]; lastMutationId: number }>(
          '/v1/sync/push',
          {
            clientId,
            databaseId,
            mutations: [
              { id: next++, name: 'champion.setNotes', args: { id: world.champions[0], notes, baseNotes: notes } },
              {
                id: next++,
                name: 'action.record',
                args: {
                  id: `act_p_${backend}_${next}`,
                  userId: world.members[0],
                  enrollmentId: null,
                  actionType: 'posted_reply',
                  targetType: null,
                  targetId: null,
                  metadata: meta,
                  occurredAt: at,
                  idempotencyKey: `k-${clientId}-${next}`,
                },
              },
            ],
          },
          token,
        );
        expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
        expect(r.body.lastMutationId).toBe(first + 1);
        for (const res of r.body.results) if (res.status === 'rejected' && res.code === 'invalid_args') expect(res.field).toMatch(/^args/);
      }),
      opts,
    );
    // Not stuck: a plain change after all that applies.
    const r = await api.post<{ results: { status: string }[] }>(
      '/v1/sync/push',
      { clientId, databaseId, mutations: [{ id: next, name: 'champion.setNotes', args: { id: world.champions[1], notes: 'fine', baseNotes: '' } }] },
      token,
    );
    expect(r.body.results[0]!.status).toBe('applied');
  }, 120_000);
});

describe('IPC dispatch and the pull decoder, generated values', () => {
  let dir: string;
  let file: string;
  let core: Core;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'afh-prop-ipc-'));
    file = seedLocal(dir);
    core = await createCore({ dataDir: dir, tokenStore: memoryTokenStore(), autoStart: false, logError: () => undefined });
  });
  afterAll(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('IPC: a change is queued with storable values, or refused as bad_request naming the field with nothing written', async () => {
    await fc.assert(
      fc.asyncProperty(text, metadata, timestamp, async (notes, meta, at) => {
        const before = snapshotDb(file);
        const a = await core.dispatch('champion.setNotes', { id: SEED.championId, notes });
        if (!a.ok) {
          expect(a.error).toMatchObject({ code: 'bad_request', field: 'notes' });
          expect(snapshotDb(file)).toEqual(before);
        }
        const b = await core.dispatch('action.record', { userId: 'usr_1_maya', actionType: 'enrolled', occurredAt: at, metadata: meta });
        if (!b.ok) {
          expect(b.error.code).toBe('bad_request');
          expect(['occurredAt', 'metadata']).toContain(b.error.field);
        }
        const q = await core.dispatch('people.search', { query: notes.slice(0, 300) });
        if (!q.ok) expect(q.error).toMatchObject({ code: 'bad_request', field: 'query' });
      }),
      opts,
    );
  }, 120_000);

  it('pull decoder: a page of generated changes never fails; storable rows apply, the rest are quarantined, the cursor moves', async () => {
    const t = tempDatabase();
    try {
      const applier = new PullPageApplier(t.app.sqlite);
      let n = 0;
      const userChange = fc.record({ name: text, email: text, created_at: timestamp }).map((u) => ({
        table: 'user',
        op: 'upsert',
        row: { id: `usr_g${n}_${Math.random().toString(36).slice(2, 8)}`, origin: null, profile_img: null, roles: [], ...u },
      }));
      const actionChange = fc.record({ metadata, occurred_at: timestamp }).map((a) => ({
        table: 'user_action',
        op: 'upsert',
        row: {
          id: `act_g${Math.random().toString(36).slice(2, 10)}`,
          user_id: 'usr_any',
          enrollment_id: null,
          action_type: 'enrolled',
          target_type: null,
          target_id: null,
          source_system: null,
          source_event_id: null,
          idempotency_key: null,
          ...a,
        },
      }));
      const junk = fc.oneof(fc.anything(), fc.constant({ table: 'user', op: 'upsert', row: null }));
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(userChange, actionChange, junk), { maxLength: 12 }), async (changes) => {
          n++;
          await applier.applyInSlices({ databaseId: FIXTURE_DATABASE_ID, cursor: `g${n}`, hasMore: false, lastMutationId: 0, remaining: 0, changes });
          expect(readSyncState(t.app.sqlite).cursor).toBe(`g${n}`);
        }),
        opts,
      );
    } finally {
      t.dispose();
    }
  }, 120_000);
});
