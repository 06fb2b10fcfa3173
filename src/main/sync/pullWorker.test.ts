import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullWorker } from './pullWorker.js';
import { listQuarantine } from './pullQuarantine.js';
import { readSyncState } from '../db/syncState.js';
import { FIXTURE_DATABASE_ID } from './testing/fixtures.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const action = (i: number) => ({
  table: 'user_action',
  op: 'upsert',
  row: {
    id: `act_${i}`,
    user_id: 'usr_1',
    enrollment_id: null,
    action_type: 'viewed_module',
    target_type: 'module',
    target_id: `mod_${i}`,
    metadata: { i },
    source_system: 'app',
    source_event_id: `evt_${i}`,
    idempotency_key: `user_action:app:evt_${i}`,
    occurred_at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
  },
});

const bytes = (body: unknown): ArrayBuffer => {
  const b = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

async function setup() {
  const t = tempDatabase();
  cleanup.push(t.dispose);
  const worker = await PullWorker.start({ file: t.file });
  if (!worker) throw new Error('the pull worker did not start from source (tsx must be installed)');
  cleanup.push(() => worker.close());
  return { t, worker };
}

const count = (t: ReturnType<typeof tempDatabase>) => (t.app.sqlite.prepare('SELECT count(*) AS n FROM user_action').get() as { n: number }).n;

describe('pull worker', () => {
  it('answers with the page head before its rows, then commits the rows with the cursor through its own connection', async () => {
    const { t, worker } = await setup();
    const job = worker.submit(
      bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c1', hasMore: true, lastMutationId: 3, remaining: 10, changes: [action(1), action(2)] }),
    );
    expect(await job.head).toEqual({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c1', hasMore: true, lastMutationId: 3, remaining: 10 });
    const applied = await job.applied;
    expect(applied.rowsApplied).toBe(2);
    expect([...applied.tables]).toEqual(['user_action']);
    // The main thread's own connection sees the commit.
    expect(count(t)).toBe(2);
    expect(readSyncState(t.app.sqlite)).toMatchObject({ cursor: 'c1', serverLastMutationId: 3, pullInProgress: true });
  });

  it('quarantines a change it cannot store (unknown enum, metadata nested 1,000 deep) and applies the rest of the page and its cursor', async () => {
    const { t, worker } = await setup();
    const bad = action(2) as { row: Record<string, unknown> };
    bad.row.action_type = 'danced';
    const deep = action(3) as { row: Record<string, unknown> };
    let nest: unknown = {};
    for (let i = 0; i < 1000; i++) nest = { a: nest };
    deep.row.metadata = nest;
    const job = worker.submit(
      bytes({
        databaseId: FIXTURE_DATABASE_ID,
        cursor: 'c1',
        hasMore: false,
        lastMutationId: 0,
        remaining: 0,
        changes: [action(1), bad, deep, action(4)],
      }),
    );
    await job.head;
    await job.applied;
    expect(count(t)).toBe(2);
    expect(readSyncState(t.app.sqlite).cursor).toBe('c1');
    const held = listQuarantine(t.app.sqlite);
    expect(held.map((q) => [q.table, q.rowId])).toEqual([
      ['user_action', 'act_2'],
      ['user_action', 'act_3'],
    ]);
    expect(held[0]!.reason).toContain('action_type');
    expect(held[1]!.reason).toContain('metadata');
    expect(JSON.parse(held[0]!.received)).toEqual(bad);
    // A later, storable version of a held row replaces it and ends its quarantine.
    await worker.submit(
      bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c2', hasMore: false, lastMutationId: 0, remaining: 0, changes: [action(2)] }),
    ).applied;
    expect(count(t)).toBe(3);
    expect(listQuarantine(t.app.sqlite).map((q) => q.rowId)).toEqual(['act_3']);
  });

  it('refuses a cut-off answer and an envelope without a cursor as bad_response', async () => {
    const { worker } = await setup();
    const cut = worker.submit(bytes('{"cursor":"c1","hasMore":true,"changes":[{"table":"us'));
    await expect(cut.head).rejects.toMatchObject({ kind: 'bad_response' });
    const noCursor = worker.submit(bytes({ databaseId: FIXTURE_DATABASE_ID, hasMore: false, lastMutationId: 0, remaining: 0, changes: [] }));
    await expect(noCursor.head).rejects.toMatchObject({ kind: 'bad_response', message: expect.stringContaining('cursor') });
  });

  it('lets the main connection write between and during pages (its transactions wait their turn)', async () => {
    const { t, worker } = await setup();
    const big = Array.from({ length: 3000 }, (_, i) => action(i));
    const job = worker.submit(bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c1', hasMore: true, lastMutationId: 0, remaining: 0, changes: big }));
    await job.head;
    // Meanwhile, a coordinator's edit on the main thread: an IMMEDIATE transaction.
    t.app.sqlite.transaction(() => t.app.sqlite.prepare("INSERT INTO setting (key, value) VALUES ('probe', 'x')").run()).immediate();
    await job.applied;
    expect(count(t)).toBe(3000);
    expect(t.app.sqlite.prepare("SELECT value FROM setting WHERE key = 'probe'").get()).toEqual({ value: 'x' });
  });

  it("builds a bulk load's deferred DDL on its own connection once the pages are in, visible to the main connection", async () => {
    const { t, worker } = await setup();
    await worker.submit(
      bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c1', hasMore: false, lastMutationId: 0, remaining: 0, changes: [action(1), action(2)] }),
    ).applied;
    const ok = await worker.build([
      'CREATE INDEX IF NOT EXISTS probe_time_idx ON user_action (occurred_at)',
      'BEGIN IMMEDIATE; CREATE TABLE probe (a); COMMIT;',
    ]);
    expect(ok).toBe(true);
    const names = t.app.sqlite.prepare("SELECT name FROM sqlite_master WHERE name IN ('probe_time_idx', 'probe') ORDER BY name").all();
    expect(names).toEqual([{ name: 'probe' }, { name: 'probe_time_idx' }]);
  });

  it('answers false for DDL that fails, rolls back its open transaction, and leaves the database writable', async () => {
    const { t, worker } = await setup();
    const ok = await worker.build(['BEGIN IMMEDIATE; CREATE TABLE probe (a); SELECT no_such_function(); COMMIT;']);
    expect(ok).toBe(false);
    expect(t.app.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'probe'").get()).toBeUndefined();
    // Had the worker kept its transaction open, this write would wait out the busy timeout and fail.
    t.app.sqlite.pragma('busy_timeout = 100');
    t.app.sqlite.transaction(() => t.app.sqlite.prepare("INSERT INTO setting (key, value) VALUES ('probe', 'x')").run()).immediate();
    // The worker still applies pages afterwards.
    await worker.submit(
      bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c1', hasMore: false, lastMutationId: 0, remaining: 0, changes: [action(1)] }),
    ).applied;
    expect(count(t)).toBe(1);
  });

  it('rejects work after close and exits cleanly', async () => {
    const { worker } = await setup();
    await worker.close();
    await expect(
      worker.submit(bytes({ databaseId: FIXTURE_DATABASE_ID, cursor: 'c', hasMore: false, lastMutationId: 0, remaining: 0, changes: [] })).applied,
    ).rejects.toThrow(/closed/);
  });
});
