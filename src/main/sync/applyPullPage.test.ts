import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { listQuarantine } from './pullQuarantine.js';
import { readSyncState } from '../db/syncState.js';
import { FIXTURE_DATABASE_ID, page, upserts, user } from './testing/fixtures.js';

let t: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  t = tempDatabase();
});
afterEach(() => t.dispose());

const users = (n: number, from = 0) =>
  upserts(
    'user',
    Array.from({ length: n }, (_, i) => user(`usr_${from + i}`)),
  );
const count = () => (t.app.sqlite.prepare('SELECT count(*) n FROM user').get() as { n: number }).n;

describe('applying a pull page in slices', () => {
  it('writes every change and moves the cursor only with the last slice', async () => {
    const applier = new PullPageApplier(t.app.sqlite);
    // A zero budget makes every 64 changes a slice. The first slice runs before the call returns.
    const running = applier.applyInSlices(page(users(1000), { cursor: 'after-1000', lastMutationId: 4, hasMore: true }), 0);
    expect(count()).toBe(64);
    expect(readSyncState(t.app.sqlite).cursor).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(count()).toBeGreaterThan(64);
    expect(count()).toBeLessThan(1000);
    expect(readSyncState(t.app.sqlite).cursor).toBeNull();
    const r = await running;
    expect(r.rowsApplied).toBe(1000);
    expect(count()).toBe(1000);
    expect(readSyncState(t.app.sqlite)).toMatchObject({ cursor: 'after-1000', serverLastMutationId: 4, pullInProgress: true });
  });

  it('quarantines a malformed change (an empty or 201-character user name too) and applies the rest of the page and its cursor', async () => {
    const applier = new PullPageApplier(t.app.sqlite);
    const bad = [
      ...users(200),
      { table: 'user', op: 'upsert', row: { id: 'usr_x', roles: 'admin' } },
      { table: 'user', op: 'upsert', row: { ...user('usr_empty'), name: '' } },
      { table: 'user', op: 'upsert', row: { ...user('usr_long'), name: 'n'.repeat(201) } },
      { nonsense: true },
      ...users(10, 500),
    ];
    await applier.applyInSlices(
      { databaseId: FIXTURE_DATABASE_ID, cursor: 'next', hasMore: false, lastMutationId: 0, remaining: 0, changes: bad },
      0,
    );
    expect(count()).toBe(210);
    expect(readSyncState(t.app.sqlite).cursor).toBe('next');
    const held = listQuarantine(t.app.sqlite);
    expect(held.map((q) => `${q.table}:${q.rowId}`)).toEqual(['user:usr_x', 'user:usr_empty', 'user:usr_long', 'unknown:changes[203] of page next']);
    expect(held[1]!.reason).toBe('The server sent a member this laptop cannot store: name must not be empty.');
    expect(held[2]!.reason).toContain('name must be at most 200 characters');
    // A later version of the row replaces the entry; once it is storable it applies and the entry goes.
    await applier.applyInSlices(page(upserts('user', [{ ...user('usr_empty'), name: '' }]), { cursor: 'n2' }), 0);
    expect(listQuarantine(t.app.sqlite)).toHaveLength(4);
    await applier.applyInSlices(page(upserts('user', [user('usr_empty')]), { cursor: 'n3' }), 0);
    expect(listQuarantine(t.app.sqlite).map((q) => q.rowId)).not.toContain('usr_empty');
    expect(count()).toBe(211);
    // A delete of a held row ends its quarantine too.
    await applier.applyInSlices(page([{ table: 'user', op: 'delete', id: 'usr_long' }], { cursor: 'n4' }), 0);
    expect(listQuarantine(t.app.sqlite).map((q) => q.rowId)).toEqual(['usr_x', 'changes[203] of page next']);
  });

  it('quarantines a change the local database refuses and goes on', async () => {
    const applier = new PullPageApplier(t.app.sqlite);
    // A CHECK the wire schema does not know of (a later app's rule, a hand-made table): the database refuses the row.
    t.app.sqlite.exec(`CREATE TRIGGER refuse_bob BEFORE INSERT ON user WHEN NEW.id = 'usr_bob' BEGIN SELECT RAISE(ABORT, 'no bob'); END`);
    await applier.applyInSlices(page([...users(3), ...upserts('user', [user('usr_bob')]), ...users(2, 10)], { cursor: 'c' }), 0);
    expect(count()).toBe(5);
    expect(listQuarantine(t.app.sqlite)).toMatchObject([
      { table: 'user', rowId: 'usr_bob', reason: expect.stringContaining("This laptop's database could not store a member") },
    ]);
    expect(readSyncState(t.app.sqlite).cursor).toBe('c');
  });
});
