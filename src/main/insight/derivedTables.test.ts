import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { defaultMigrationsFolder, openDatabase } from '../db/open.js';
import { tempDatabase } from '../db/testing/tempDb.js';
import { deferForBulkLoad, restoreDeferred } from '../sync/bulkLoad.js';
import { deleteSql, toLocalValues, upsertSql } from '../sync/wireRows.js';
import { Prng } from '../../server/demo/prng.js';
import { ACTION_TYPES } from '../../shared/enums.js';
import type { EnrollmentRow, UserActionRow } from '../../shared/rows.js';
import { INSIGHT_TRIGGERS, insightDeferred, rebuildInsight } from './derivedTables.js';
import { derivedAsStored, derivedFromScratch } from './testing/fromScratch.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

const USERS = ['usr_a', 'usr_b', 'usr_c', 'usr_d', 'usr_e'];
const COHORTS = ['coh_1', 'coh_2', 'coh_3', null];
const ENROLLMENTS = Array.from({ length: 9 }, (_, i) => `enr_${i}`);
const DAY = 86_400_000;
const BASE = Date.parse('2026-03-01T00:00:00Z');

/** A random writer, as the pull applier writes: upserts by id and deletes by id, in any order. */
function randomWriter(sqlite: Database.Database, seed: number) {
  const rng = new Prng(seed);
  // Only the two tables it writes: an older release's file (the upgrade test) lacks later columns of the others.
  const stmts = {
    user_action: { upsert: sqlite.prepare(upsertSql('user_action')), remove: sqlite.prepare(deleteSql('user_action')) },
    enrollment: { upsert: sqlite.prepare(upsertSql('enrollment')), remove: sqlite.prepare(deleteSql('enrollment')) },
  };
  let nextAction = 0;
  const actionIds: string[] = [];
  const time = () => {
    const ms = BASE + rng.int(0, 40) * DAY + rng.int(0, DAY - 1);
    const iso = new Date(ms).toISOString();
    // Both forms the wire carries: with and without milliseconds.
    return rng.chance(0.5) ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
  };
  const action = (id: string): UserActionRow => ({
    id,
    user_id: rng.pick(USERS),
    // Unknown enrollments and links to another member's enrollment happen too; they count nowhere.
    enrollment_id: rng.chance(0.15) ? null : rng.chance(0.05) ? 'enr_unknown' : rng.pick(ENROLLMENTS),
    action_type: rng.chance(0.15) ? 'completed_course' : rng.pick(ACTION_TYPES),
    target_type: null,
    target_id: null,
    metadata: {},
    source_system: 'app',
    source_event_id: null,
    idempotency_key: null,
    occurred_at: time(),
  });
  const enrollment = (id: string): EnrollmentRow => ({
    id,
    user_id: rng.pick(USERS),
    cohort_id: rng.pick(COHORTS),
    course_name: 'Ten Keys',
    status: rng.pick(['active', 'completed', 'withdrawn'] as const),
    enrolled_at: time(),
  });
  return {
    step() {
      const r = rng.next();
      if (r < 0.45 || actionIds.length === 0) {
        const id = `act_${nextAction++}`;
        actionIds.push(id);
        stmts.user_action.upsert.run(toLocalValues('user_action', action(id)));
      } else if (r < 0.6) {
        // The same id again with other values: moves between weeks, enrollments, members and types.
        stmts.user_action.upsert.run(toLocalValues('user_action', action(rng.pick(actionIds))));
      } else if (r < 0.75) {
        const i = rng.int(0, actionIds.length - 1);
        stmts.user_action.remove.run(actionIds[i]!);
        actionIds.splice(i, 1);
      } else if (r < 0.9) {
        stmts.enrollment.upsert.run(toLocalValues('enrollment', enrollment(rng.pick(ENROLLMENTS))));
      } else if (r < 0.96) {
        stmts.enrollment.remove.run(rng.pick(ENROLLMENTS));
      } else {
        // An erasure: every row of one member, tables in either order.
        const who = rng.pick(USERS);
        const tables = rng.chance(0.5) ? ['user_action', 'enrollment'] : ['enrollment', 'user_action'];
        for (const t of tables) sqlite.prepare(`DELETE FROM ${t} WHERE user_id = ?`).run(who);
      }
    },
  };
}

describe('cohort insight tables', () => {
  it('stay equal to a from-scratch computation through random inserts, re-sent rows, deletes and erasures', () => {
    for (const seed of [1, 2, 3]) {
      const t = tempDatabase();
      cleanup.push(t.dispose);
      const writer = randomWriter(t.app.sqlite, seed);
      let busiest = 0;
      for (let round = 0; round < 40; round++) {
        t.app.sqlite.transaction(() => {
          for (let i = 0; i < 25; i++) writer.step();
        })();
        const stored = derivedAsStored(t.app.sqlite);
        expect(stored, `seed ${seed}, round ${round}`).toEqual(derivedFromScratch(t.app.sqlite));
        busiest = Math.max(busiest, stored.cohortWeek.length);
      }
      // The rows written meanwhile really exercised the tables.
      expect(busiest).toBeGreaterThan(5);
    }
  });

  it('are rebuilt exactly when a first pull ends, after loading with the triggers dropped', async () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    deferForBulkLoad(t.app.sqlite);
    expect(insightDeferred(t.app.sqlite)).toBe(true);
    const triggers = () =>
      (
        t.app.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'insight_%' ORDER BY name").all() as {
          name: string;
        }[]
      ).map((r) => r.name);
    expect(triggers()).toEqual([]);
    const writer = randomWriter(t.app.sqlite, 7);
    t.app.sqlite.transaction(() => {
      for (let i = 0; i < 600; i++) writer.step();
    })();
    expect(derivedAsStored(t.app.sqlite).enrollmentWeek).toEqual([]);
    await restoreDeferred(t.app.sqlite);
    expect(insightDeferred(t.app.sqlite)).toBe(false);
    expect(triggers()).toEqual([...INSIGHT_TRIGGERS].sort());
    expect(derivedAsStored(t.app.sqlite)).toEqual(derivedFromScratch(t.app.sqlite));
    // And the triggers are live again afterwards.
    t.app.sqlite.transaction(() => {
      for (let i = 0; i < 200; i++) writer.step();
    })();
    expect(derivedAsStored(t.app.sqlite)).toEqual(derivedFromScratch(t.app.sqlite));
  });

  it('are left alone by a pull into a table that already has actions', () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const writer = randomWriter(t.app.sqlite, 9);
    for (let i = 0; i < 20; i++) writer.step();
    t.app.sqlite
      .prepare("INSERT INTO user_action (id, user_id, action_type, occurred_at) VALUES ('act_x', 'usr_a', 'enrolled', '2026-03-01T00:00:00Z')")
      .run();
    deferForBulkLoad(t.app.sqlite);
    expect(insightDeferred(t.app.sqlite)).toBe(false);
  });

  it('are filled from the rows already there when an older install upgrades', () => {
    const dir = mkdtempSync(join(tmpdir(), 'afh-insight-upgrade-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    // The release before this one: the migrations up to (not including) the insight tables. Later
    // entries go too: drizzle applies only migrations newer than the last one a file has.
    const old = join(dir, 'client');
    cpSync(defaultMigrationsFolder(), old, { recursive: true });
    const journalFile = join(old, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.tag.includes('insight')),
    );
    writeFileSync(journalFile, JSON.stringify(journal));
    const file = join(dir, 'local.sqlite');
    const before = openDatabase(file, { migrationsFolder: old });
    const writer = randomWriter(before.sqlite, 13);
    for (let i = 0; i < 300; i++) writer.step();
    expect(before.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'insight_enrollment'").get()).toBeUndefined();
    before.close();
    const after = openDatabase(file);
    try {
      const stored = derivedAsStored(after.sqlite);
      expect(stored.enrollmentWeek.length).toBeGreaterThan(0);
      expect(stored).toEqual(derivedFromScratch(after.sqlite));
    } finally {
      after.close();
    }
  });

  it('can be rebuilt in place with the same rows the triggers kept', () => {
    const t = tempDatabase();
    cleanup.push(t.dispose);
    const writer = randomWriter(t.app.sqlite, 11);
    for (let i = 0; i < 400; i++) writer.step();
    const kept = derivedAsStored(t.app.sqlite);
    rebuildInsight(t.app.sqlite);
    expect(derivedAsStored(t.app.sqlite)).toEqual(kept);
    expect(insightDeferred(t.app.sqlite)).toBe(false);
  });
});
