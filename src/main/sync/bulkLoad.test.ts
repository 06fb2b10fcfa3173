import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open.js';
import { tempDatabase } from '../db/testing/tempDb.js';
import { deferIndexesForBulkLoad, deferredIndexNames, restoreDeferredIndexes } from './deferredIndexes.js';

const TIME_LED = ['user_action_source_time_idx', 'user_action_target_time_idx', 'user_action_time_idx', 'user_action_type_time_idx'];
const indexes = (sqlite: import('better-sqlite3').Database) =>
  (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user_action' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
const ddlOf = (sqlite: import('better-sqlite3').Database) =>
  sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user_action' ORDER BY name").all();

function addActions(sqlite: import('better-sqlite3').Database, n: number): void {
  const ins = sqlite.prepare(
    "INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at) VALUES (?, 'usr_1', 'viewed_module', '{}', 'app', ?)",
  );
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(`act_${i}`, new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % n) * 60_000).toISOString());
  })();
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

describe('time-led user_action indexes during a first pull', () => {
  it('are dropped for a bulk load into an empty table and rebuilt on a worker with the same definitions', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const before = ddlOf(t.app.sqlite);
    expect(deferIndexesForBulkLoad(t.app.sqlite).sort()).toEqual(TIME_LED);
    expect(indexes(t.app.sqlite)).not.toContain('user_action_time_idx');
    addActions(t.app.sqlite, 2000);
    expect((await restoreDeferredIndexes(t.app.sqlite)).sort()).toEqual(TIME_LED);
    expect(ddlOf(t.app.sqlite)).toEqual(before);
    expect(deferredIndexNames(t.app.sqlite)).toEqual([]);
    const plan = t.app.sqlite.prepare('EXPLAIN QUERY PLAN SELECT id FROM user_action ORDER BY occurred_at DESC, id DESC LIMIT 50').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('user_action_time_idx');
  });

  it('are left alone when the table already has rows (an incremental pull or a resumed one)', () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    addActions(t.app.sqlite, 10);
    expect(deferIndexesForBulkLoad(t.app.sqlite)).toEqual([]);
    expect(indexes(t.app.sqlite)).toEqual(expect.arrayContaining(TIME_LED));
  });

  it('come back after a crash mid-pull: the dropped definitions survive a reopen and the next pull rebuilds them', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const before = ddlOf(t.app.sqlite);
    deferIndexesForBulkLoad(t.app.sqlite);
    addActions(t.app.sqlite, 500);
    t.app.close(); // the process dies here
    const again = openDatabase(t.file);
    try {
      expect(deferredIndexNames(again.sqlite).sort()).toEqual(TIME_LED);
      expect(deferIndexesForBulkLoad(again.sqlite)).toEqual([]); // rows exist: nothing more to drop
      await restoreDeferredIndexes(again.sqlite, { useWorker: false });
      expect(ddlOf(again.sqlite)).toEqual(before);
    } finally {
      again.close();
    }
    t.app = openDatabase(t.file); // so dispose has an open handle to close
  });
});
