import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../db/testing/tempDb.js';
import { PullPageApplier } from './applyPullPage.js';
import { SyncHttpError } from './protocolClient.js';
import { readSyncState } from './syncState.js';
import { FIXTURE_DATABASE_ID, page, upserts, user } from './testing/fixtures.js';

let t: ReturnType<typeof tempDatabase>;
beforeEach(() => {
  t = tempDatabase();
});
afterEach(() => t.dispose());

const users = (n: number, from = 0) => upserts('user', Array.from({ length: n }, (_, i) => user(`usr_${from + i}`)));
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

  it('refuses a malformed change with a plain error and keeps the old cursor, so the page is fetched again', async () => {
    const applier = new PullPageApplier(t.app.sqlite);
    const bad = [...users(200), { table: 'user', op: 'upsert', row: { id: 'usr_x', roles: 'admin' } }, ...users(10, 500)];
    const err = await applier.applyInSlices({ databaseId: FIXTURE_DATABASE_ID, cursor: 'next', hasMore: false, lastMutationId: 0, remaining: 0, changes: bad }, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncHttpError);
    expect((err as SyncHttpError).kind).toBe('bad_response');
    expect((err as Error).message).toMatch(/changes\[200\]/);
    expect(readSyncState(t.app.sqlite).cursor).toBeNull();
    // Applying the whole (corrected) page again is harmless: upserts are idempotent.
    await applier.applyInSlices(page([...users(200), ...users(10, 500)], { cursor: 'next' }), 0);
    expect(count()).toBe(210);
    expect(readSyncState(t.app.sqlite).cursor).toBe('next');
  });
});
