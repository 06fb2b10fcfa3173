import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientIdOf, defaultMigrationsFolder, openDatabase, openReadOnly } from './open.js';
import { DatabaseFromNewerReleaseError } from './releaseCheck.js';

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
