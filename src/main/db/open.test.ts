import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientIdOf, defaultMigrationsFolder, openDatabase, openReadOnly } from './open.js';
import { DatabaseFromNewerReleaseError } from './releaseCheck.js';
import { readSyncState } from './syncState.js';
import { insightDeferred } from '../insight/derivedTables.js';
import { deferredNames, memberSearchWatermark, restoreDeferred } from '../sync/bulkLoad.js';
import { leftScopeNotice } from '../sync/scopeEviction.js';
import { basedRows, baseChampionOwner } from '../sync/serverBase.js';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'afh-open-'));
  dirs.push(dir);
  return join(dir, 'local.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An "older release": this checkout's migrations folder cut after its first `keep` migrations. */
function olderRelease(keep: number): string {
  const old = join(mkdtempSync(join(tmpdir(), 'afh-old-migrations-')), 'client');
  dirs.push(dirname(old));
  cpSync(defaultMigrationsFolder(), old, { recursive: true });
  const journal = JSON.parse(readFileSync(join(old, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, keep);
  writeFileSync(join(old, 'meta', '_journal.json'), JSON.stringify(journal));
  return old;
}

const tables = (file: string) => {
  const app = openReadOnly(file);
  try {
    return (app.sqlite.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','trigger') ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    app.close();
  }
};

describe('openDatabase', () => {
  it('migrates an empty file to the latest version with WAL, busy timeout, NORMAL sync and a client id', () => {
    const file = tempFile();
    const app = openDatabase(file);
    try {
      expect(app.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(app.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(app.sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(app.sqlite.pragma('foreign_keys', { simple: true })).toBe(0);
      expect(clientIdOf(app)).toMatch(/^[0-9a-f-]{36}$/);
      const applied = app.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
      expect(applied.n).toBeGreaterThanOrEqual(2);
    } finally {
      app.close();
    }
    const names = tables(file);
    for (const t of [
      'user',
      'user_action',
      'champion',
      'champion_stage_change',
      'cohort',
      'enrollment',
      'sync_state',
      'outbox',
      'conflict',
      'setting',
      'user_fts',
      'user_roles_known_insert',
      'user_fts_after_update',
    ]) {
      expect(names).toContain(t);
    }
  });

  it('reopening a file already at the latest version applies nothing and keeps data and client id', () => {
    const file = tempFile();
    const first = openDatabase(file);
    const clientId = clientIdOf(first);
    first.sqlite
      .prepare("INSERT INTO user (id, email, name, roles, created_at) VALUES ('usr_1', 'a@b.c', 'Ana', '[\"student\"]', '2026-01-01T00:00:00Z')")
      .run();
    const before = first.sqlite.prepare('SELECT id, hash, created_at FROM __drizzle_migrations ORDER BY id').all();
    first.close();

    const second = openDatabase(file);
    try {
      expect(second.sqlite.prepare('SELECT id, hash, created_at FROM __drizzle_migrations ORDER BY id').all()).toEqual(before);
      expect(clientIdOf(second)).toBe(clientId);
      expect(second.sqlite.prepare('SELECT name FROM user').all()).toEqual([{ name: 'Ana' }]);
      // the search index survived too
      expect(second.sqlite.prepare("SELECT rowid FROM user_fts WHERE user_fts MATCH 'ana'").all()).toHaveLength(1);
    } finally {
      second.close();
    }
  });

  it('upgrading a file made by an older release indexes its existing members for search', () => {
    const old = olderRelease(1); // after its first migration

    const file = tempFile();
    const before = openDatabase(file, { migrationsFolder: old });
    before.sqlite
      .prepare("INSERT INTO user (id, email, name, roles, created_at) VALUES ('usr_1', 'zoe@example.org', 'Zoë Old', '[]', '2026-01-01T00:00:00Z')")
      .run();
    before.close();

    const after = openDatabase(file);
    try {
      expect(after.sqlite.prepare(`SELECT rowid FROM user_fts WHERE user_fts MATCH '"zoe"*'`).all()).toHaveLength(1);
    } finally {
      after.close();
    }
  });

  it('upgrading a file from before the IN-list-free enum checks keeps every row, index and check', () => {
    const old = olderRelease(2); // the release before 0002, whose enum CHECKs were IN lists

    const file = tempFile();
    const before = openDatabase(file, { migrationsFolder: old });
    before.sqlite.exec(`
      INSERT INTO cohort (id, name, status, created_at) VALUES ('coh_1', 'Spring', 'active', '2026-01-01T00:00:00.000Z');
      INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES ('enr_1', 'usr_1', 'coh_1', 'Ten Keys', 'active', '2026-01-02T00:00:00.000Z');
      INSERT INTO user_action (id, user_id, action_type, target_type, metadata, source_system, source_event_id, idempotency_key, occurred_at)
        VALUES ('act_1', 'usr_1', 'enrolled', 'course', '{}', 'app', 'evt_1', 'k1', '2026-01-02T00:00:00.000Z');
      INSERT INTO champion (id, user_id, cohort_id, stage, selected_at) VALUES ('ch_1', 'usr_1', 'coh_1', 'selected', '2026-01-03T00:00:00.000Z');
      INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by) VALUES ('csc_1', 'ch_1', 'candidate', 'selected', '2026-01-03T00:00:00.000Z', 'usr_9');`);
    const indexesBefore = before.sqlite.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
    before.close();

    const after = openDatabase(file);
    try {
      for (const [table, id] of [
        ['cohort', 'coh_1'],
        ['enrollment', 'enr_1'],
        ['user_action', 'act_1'],
        ['champion', 'ch_1'],
        ['champion_stage_change', 'csc_1'],
      ] as const) {
        expect(after.sqlite.prepare(`SELECT id FROM "${table}"`).all(), table).toEqual([{ id }]);
      }
      // Every index it had is still there, unchanged (later migrations may add more).
      const indexesAfter = after.sqlite
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        .all() as { name: string }[];
      const had = new Set((indexesBefore as { name: string }[]).map((i) => i.name));
      expect(indexesAfter.filter((i) => had.has(i.name))).toEqual(indexesBefore);
      expect(() => after.sqlite.prepare("UPDATE user_action SET action_type = 'danced' WHERE id = 'act_1'").run()).toThrow(
        /user_action_action_type_check/,
      );
      expect(() => after.sqlite.prepare("UPDATE champion SET stage = 'emeritus' WHERE id = 'ch_1'").run()).toThrow(/champion_stage_check/);
      expect(() =>
        after.sqlite
          .prepare(
            "INSERT INTO user_action (id, user_id, action_type, metadata, idempotency_key, occurred_at) VALUES ('act_2', 'usr_1', 'enrolled', '{}', 'k1', '2026-01-04T00:00:00.000Z')",
          )
          .run(),
      ).toThrow(/UNIQUE/);
    } finally {
      after.close();
    }
  });

  it('upgrading a file from before the state tables moves the sync state out of setting and keeps the user settings', async () => {
    const old = olderRelease(8); // the release before 0008_state_tables, which kept it all in `setting`

    const file = tempFile();
    const before = openDatabase(file, { migrationsFolder: old });
    const champion = { id: 'ch_1', user_id: 'usr_1', cohort_id: null, stage: 'candidate', notes: '' };
    const timeIdx = (before.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'user_action_time_idx'").get() as { sql: string }).sql;
    const insightTrigger = (before.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'insight_action_insert'").get() as { sql: string }).sql;
    before.sqlite.exec('DROP INDEX user_action_time_idx; DROP TRIGGER insight_action_insert;');
    const put = before.sqlite.prepare('INSERT INTO setting (key, value) VALUES (?, ?)');
    for (const [key, value] of [
      ['server.url', 'https://afh.example.org'],
      ['session.user', '{"id":"usr_me"}'],
      ['insight.atRiskDays', '21'],
      ['server.previousUrl', 'https://old.example.org'],
      ['sync.base:champion:ch_1', JSON.stringify(champion)],
      ['sync.base:user_action:act_1', 'absent'],
      ['sync.gone:usr_2', '["ch_2","ch_3"]'],
      ['scope.left:usr_3', JSON.stringify({ userId: 'usr_3', leftAt: '2026-05-01T00:00:00.000Z', closedConflicts: 2 })],
      ['sync.deferredIndexes', JSON.stringify([{ name: 'user_action_time_idx', sql: timeIdx }])],
      ['sync.memberSearchWatermark', '42'],
      ['insight.deferredTriggers', JSON.stringify([{ name: 'insight_action_insert', sql: insightTrigger }])],
    ])
      put.run(key, value);
    before.close();

    const after = openDatabase(file);
    try {
      const settings = after.sqlite.prepare('SELECT key, value FROM setting ORDER BY key').all();
      expect(settings).toEqual([
        { key: 'insight.atRiskDays', value: '21' },
        { key: 'server.url', value: 'https://afh.example.org' },
        { key: 'session.user', value: '{"id":"usr_me"}' },
      ]);
      expect(readSyncState(after.sqlite).previousServerUrl).toBe('https://old.example.org');
      expect(basedRows(after.sqlite)).toEqual(new Set(['champion:ch_1', 'user_action:act_1']));
      expect(after.sqlite.prepare('SELECT row FROM server_base WHERE row_id = ?').get('act_1')).toEqual({ row: null });
      expect(baseChampionOwner(after.sqlite, 'ch_1')).toBe('usr_1');
      expect(after.sqlite.prepare('SELECT user_id, champion_id FROM gone_champion ORDER BY champion_id').all()).toEqual([
        { user_id: 'usr_2', champion_id: 'ch_2' },
        { user_id: 'usr_2', champion_id: 'ch_3' },
      ]);
      expect(leftScopeNotice(after.sqlite, 'usr_3')).toEqual({ userId: 'usr_3', leftAt: '2026-05-01T00:00:00.000Z', closedConflicts: 2 });
      expect(deferredNames(after.sqlite)).toEqual(['user_action_time_idx']);
      expect(memberSearchWatermark(after.sqlite)).toBe(42);
      expect(insightDeferred(after.sqlite)).toBe(true);

      // What a bulk load left deferred before the upgrade is still put back after it.
      await restoreDeferred(after.sqlite, { useWorker: false });
      const present = (name: string) => after.sqlite.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
      expect(present('user_action_time_idx')).toBe(true);
      expect(present('insight_action_insert')).toBe(true);
      expect(deferredNames(after.sqlite)).toEqual([]);
      expect(insightDeferred(after.sqlite)).toBe(false);
    } finally {
      after.close();
    }
  });

  it('refuses a file last opened by a newer release, naming what to do, and leaves the file byte for byte as it was', () => {
    const file = tempFile();
    const current = openDatabase(file);
    current.sqlite.prepare("INSERT INTO setting (key, value) VALUES ('k', 'v')").run();
    current.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    current.close();
    const bytesBefore = readFileSync(file);

    // This checkout with its newest migration cut off plays the older release.
    const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
    const old = olderRelease(journal.entries.length - 1);
    let refused: unknown;
    try {
      openDatabase(file, { migrationsFolder: old }).close();
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DatabaseFromNewerReleaseError);
    expect((refused as Error).message).toMatch(/newer version of AfH Coordinator/);
    expect(readFileSync(file).equals(bytesBefore)).toBe(true);

    // The release that wrote it still opens it, with its data.
    const again = openDatabase(file);
    try {
      expect(again.sqlite.prepare('SELECT value FROM setting WHERE key = ?').get('k')).toEqual({ value: 'v' });
    } finally {
      again.close();
    }
  });

  it('gives two installs different client ids', () => {
    const a = openDatabase(tempFile());
    const b = openDatabase(tempFile());
    try {
      expect(clientIdOf(a)).not.toBe(clientIdOf(b));
    } finally {
      a.close();
      b.close();
    }
  });

  it('accepts an explicit migrations folder and fails clearly on a missing one', () => {
    const app = openDatabase(tempFile(), { migrationsFolder: defaultMigrationsFolder() });
    app.close();
    expect(() => openDatabase(tempFile(), { migrationsFolder: join(tmpdir(), 'no-such-migrations-folder') })).toThrow(/_journal\.json/);
  });

  it("opens a read-only reader that sees the writer's committed rows and cannot write", () => {
    const file = tempFile();
    const writer = openDatabase(file);
    const reader = openReadOnly(file);
    try {
      writer.sqlite.prepare("INSERT INTO setting (key, value) VALUES ('k', 'v')").run();
      expect(reader.sqlite.prepare('SELECT value FROM setting').get()).toEqual({ value: 'v' });
      expect(() => reader.sqlite.prepare("INSERT INTO setting (key, value) VALUES ('x', 'y')").run()).toThrow(/readonly/);
    } finally {
      reader.close();
      writer.close();
    }
  });
});
