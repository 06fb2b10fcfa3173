import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open.js';
import { tempDatabase } from '../db/testing/tempDb.js';
import { catchUpMemberSearch, deferForBulkLoad, deferredNames, restoreDeferred } from './bulkLoad.js';

const TIME_LED = ['user_action_source_time_idx', 'user_action_target_time_idx', 'user_action_time_idx', 'user_action_type_time_idx'];
const SEARCH_TRIGGERS = ['user_fts_after_delete', 'user_fts_after_insert', 'user_fts_after_update'];
const ALL = [...TIME_LED, ...SEARCH_TRIGGERS].sort();
const indexes = (sqlite: import('better-sqlite3').Database) =>
  (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user_action' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );
const ddlOf = (sqlite: import('better-sqlite3').Database) =>
  sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE (type = 'index' AND tbl_name = 'user_action') OR type = 'trigger' ORDER BY name").all();

function addActions(sqlite: import('better-sqlite3').Database, n: number): void {
  const ins = sqlite.prepare(
    "INSERT INTO user_action (id, user_id, action_type, metadata, source_system, occurred_at) VALUES (?, 'usr_1', 'viewed_module', '{}', 'app', ?)",
  );
  sqlite.transaction(() => {
    for (let i = 0; i < n; i++) ins.run(`act_${i}`, new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % n) * 60_000).toISOString());
  })();
}

function addMembers(sqlite: import('better-sqlite3').Database, from: number, n: number): void {
  const ins = sqlite.prepare("INSERT INTO user (id, email, name, roles, created_at) VALUES (?, ?, ?, '[]', '2026-01-01T00:00:00.000Z')");
  sqlite.transaction(() => {
    for (let i = from; i < from + n; i++) ins.run(`usr_${i}`, `m${i}@example.org`, `Member Number${i}`);
  })();
}
const findMembers = (sqlite: import('better-sqlite3').Database, prefix: string) =>
  (
    sqlite.prepare(`SELECT u.id FROM user_fts JOIN user u ON u.rowid = user_fts.rowid WHERE user_fts MATCH ? ORDER BY u.id`).all(`"${prefix}"*`) as {
      id: string;
    }[]
  ).map((r) => r.id);

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

describe('time-led user_action indexes and member-search triggers during a first pull', () => {
  it('are dropped for a bulk load into an empty table and rebuilt on a worker with the same definitions', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const before = ddlOf(t.app.sqlite);
    expect(deferForBulkLoad(t.app.sqlite).sort()).toEqual(ALL);
    expect(indexes(t.app.sqlite)).not.toContain('user_action_time_idx');
    addActions(t.app.sqlite, 2000);
    expect((await restoreDeferred(t.app.sqlite)).sort()).toEqual(ALL);
    expect(ddlOf(t.app.sqlite)).toEqual(before);
    expect(deferredNames(t.app.sqlite)).toEqual([]);
    const plan = t.app.sqlite.prepare('EXPLAIN QUERY PLAN SELECT id FROM user_action ORDER BY occurred_at DESC, id DESC LIMIT 50').all() as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('user_action_time_idx');
  });

  it('are rebuilt by the builder the pull hands over, and here on this thread when that builder fails', async () => {
    for (const answer of [true, false]) {
      const t = tempDatabase();
      cleanup.push(t.dispose);
      const before = ddlOf(t.app.sqlite);
      deferForBulkLoad(t.app.sqlite);
      addActions(t.app.sqlite, 100);
      const given: string[][] = [];
      // A builder that runs the DDL as the pull worker would, or one that fails having done nothing.
      const build = async (ddl: string[]) => {
        given.push(ddl);
        if (answer) for (const d of ddl) t.app.sqlite.exec(d);
        return answer;
      };
      expect((await restoreDeferred(t.app.sqlite, { build })).sort()).toEqual(ALL);
      expect(given).toHaveLength(1);
      expect(given[0]!.some((d) => d.includes('user_action_time_idx'))).toBe(true);
      expect(ddlOf(t.app.sqlite)).toEqual(before);
      expect(deferredNames(t.app.sqlite)).toEqual([]);
    }
  });

  it('are left alone when the table already has rows (an incremental pull or a resumed one)', () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    addActions(t.app.sqlite, 10);
    addMembers(t.app.sqlite, 0, 1);
    expect(deferForBulkLoad(t.app.sqlite)).toEqual([]);
    expect(indexes(t.app.sqlite)).toEqual(expect.arrayContaining(TIME_LED));
  });

  it('come back after a crash mid-pull: the dropped definitions survive a reopen and the next pull rebuilds them', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const before = ddlOf(t.app.sqlite);
    deferForBulkLoad(t.app.sqlite);
    addActions(t.app.sqlite, 500);
    addMembers(t.app.sqlite, 0, 20);
    t.app.close(); // the process dies here
    const again = openDatabase(t.file);
    try {
      expect(deferredNames(again.sqlite).sort()).toEqual(ALL);
      expect(deferForBulkLoad(again.sqlite)).toEqual([]); // rows exist: nothing more to drop
      await restoreDeferred(again.sqlite, { useWorker: false });
      expect(ddlOf(again.sqlite)).toEqual(before);
      expect(findMembers(again.sqlite, 'member')).toHaveLength(20);
    } finally {
      again.close();
    }
    t.app = openDatabase(t.file); // so dispose has an open handle to close
  });

  it('keeps members findable during the load in batches, and ends with the triggers back and an exact index', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const sqlite = t.app.sqlite;
    deferForBulkLoad(sqlite);
    addMembers(sqlite, 0, 100);
    // Below the batch size nothing is indexed yet unless the pull is ending (force).
    expect(catchUpMemberSearch(sqlite)).toBe(0);
    expect(findMembers(sqlite, 'number1')).toEqual([]);
    expect(catchUpMemberSearch(sqlite, { force: true })).toBe(100);
    expect(findMembers(sqlite, 'number99')).toEqual(['usr_99']);
    addMembers(sqlite, 100, 8000);
    expect(catchUpMemberSearch(sqlite)).toBe(8000);
    expect(catchUpMemberSearch(sqlite, { force: true })).toBe(0); // nothing new: no double entries
    // A member renamed while the triggers are away (a resumed page with a newer version).
    sqlite.prepare("UPDATE user SET name = 'Zoë Renamed' WHERE id = 'usr_5'").run();
    await restoreDeferred(sqlite);
    expect(deferredNames(sqlite)).toEqual([]);
    expect(findMembers(sqlite, 'renamed')).toEqual(['usr_5']);
    expect(findMembers(sqlite, 'number5')).not.toContain('usr_5');
    expect(findMembers(sqlite, 'member')).toHaveLength(8099); // all but the renamed one
    // The triggers are back: a later insert is searchable at once.
    addMembers(sqlite, 9000, 1);
    expect(findMembers(sqlite, 'number9000')).toEqual(['usr_9000']);
    // FTS5 checks its index against the user table and throws if they disagree.
    expect(() => sqlite.prepare("INSERT INTO user_fts (user_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });
});
