import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import type { PullResponse } from '../../shared/protocol.js';
import { PullPageApplier } from '../sync/applyPullPage.js';
import { deferForBulkLoad } from '../sync/bulkLoad.js';
import { page, upserts, user } from '../sync/testing/fixtures.js';
import { LocalMaintenance } from './maintenance.js';
import { defaultMigrationsFolder, openDatabase, type AppDb } from './open.js';
import { openWriterPeer } from './writerConnection.js';
import { searchPeople } from './queries/people.js';

// Issue 14 item 2: after an erasure reaches the laptop, the erased member's name, email and
// posts must not stay in the SQLite file (free pages, the search index's old segments, the
// WAL). These tests write a real file, erase as a pulled page does, and read the raw bytes.

// Words chosen so that no other term in the search index shares their first letter: FTS5
// stores a term after its neighbour with their common prefix cut, and a shared prefix would
// let a leftover term hide from a byte search.
const VICTIM = { ...user('usr_victim'), name: 'Zebulon Quixotehart', email: 'zebulon.quixotehart@yonderwick.test' };
const POST_WORD = 'xylophonically';
const TRACES = ['zebulon', 'quixotehart', 'yonderwick', POST_WORD];

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'afh-erase-'));
  dirs.push(dir);
  return path.join(dir, 'local.sqlite');
}

const actions = Array.from({ length: 40 }, (_, i) => ({
  id: `act_victim_${i}`,
  user_id: VICTIM.id,
  enrollment_id: null,
  action_type: 'posted_thread' as const,
  target_type: 'thread' as const,
  target_id: `thr_${i}`,
  metadata: { title: `A ${POST_WORD} evening, part ${i}` },
  source_system: 'webhook' as const,
  source_event_id: `evt_victim_${i}`,
  idempotency_key: null,
  occurred_at: '2026-03-01T10:00:00Z',
}));

function seed(app: AppDb): void {
  const applier = new PullPageApplier(app.sqlite);
  const others = Array.from({ length: 1500 }, (_, i) => user(`u${i}`));
  applier.apply(page([...upserts('user', others.slice(0, 700)), ...upserts('user', [VICTIM]), ...upserts('user', others.slice(700))]));
  applier.apply(page(actions.map((row) => ({ table: 'user_action', op: 'upsert', row })) as PullResponse['changes']));
  // As after any earlier sync: the rows are in the main file, not only in the WAL.
  app.sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

/** The deletes the server sends for an erased member (docs/protocol.md: erasure). */
function pullErasure(app: AppDb): void {
  new PullPageApplier(app.sqlite).apply(
    page([
      ...actions.map((a) => ({ table: 'user_action' as const, op: 'delete' as const, id: a.id })),
      { table: 'user', op: 'delete', id: VICTIM.id },
    ]),
  );
}

/** Case-insensitive occurrences of each trace in the file and its WAL. */
function tracesIn(file: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const f of [file, `${file}-wal`]) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f).toString('latin1').toLowerCase();
    for (const t of TRACES) {
      let n = 0;
      for (let i = text.indexOf(t); i >= 0; i = text.indexOf(t, i + 1)) n++;
      if (n > 0) found[`${path.basename(f)}: ${t}`] = n;
    }
  }
  return found;
}

describe('an erased member leaves the laptop’s file', () => {
  it('after a pulled erasure, maintenance and a clean close, the file holds none of their name, email or posts', () => {
    const file = tempFile();
    const app = openDatabase(file);
    seed(app);
    expect(Object.keys(tracesIn(file)).length).toBeGreaterThan(0); // the scan does see them while they exist
    pullErasure(app);
    new LocalMaintenance(app.sqlite).runPending();
    app.close();
    expect(tracesIn(file)).toEqual({});
  });

  it('while the app keeps running, a maintenance pass leaves no trace in the file or its WAL either', () => {
    const file = tempFile();
    const app = openDatabase(file);
    seed(app);
    pullErasure(app);
    const report = new LocalMaintenance(app.sqlite).runPending();
    expect(report.walTruncated).toBe(true);
    expect(tracesIn(file)).toEqual({});
    app.close();
  });

  it('member search still finds the other members after the pass, and no longer finds the erased one', () => {
    const file = tempFile();
    const app = openDatabase(file);
    seed(app);
    pullErasure(app);
    new LocalMaintenance(app.sqlite).runPending();
    const search = (query: string) => searchPeople(app, { query, roles: [], origins: [], limit: 10, after: null }).items.map((m) => m.id);
    expect(search('Quixotehart')).toEqual([]);
    expect(search('u1499')).toEqual(['u1499']);
    app.close();
  });

  it('every connection that writes the file zeroes what it deletes: the app’s and the pull worker’s', () => {
    const file = tempFile();
    const app = openDatabase(file);
    const peer = openWriterPeer(file);
    expect(app.sqlite.pragma('secure_delete', { simple: true })).toBe(1);
    expect(peer.pragma('secure_delete', { simple: true })).toBe(1);
    peer.close();
    app.close();
  });
});

describe('free space is handed back in steps', () => {
  it('a new database reclaims free pages incrementally, and the file shrinks after a large delete', () => {
    const file = tempFile();
    const app = openDatabase(file);
    expect(app.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
    const applier = new PullPageApplier(app.sqlite);
    const many = Array.from({ length: 4000 }, (_, i) => ({ ...user(`bulk${i}`), name: `Bulk member ${i} ${'x'.repeat(200)}` }));
    applier.apply(page(upserts('user', many)));
    app.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(file).size;
    applier.apply(page(many.map((u) => ({ table: 'user' as const, op: 'delete' as const, id: u.id }))));
    const report = new LocalMaintenance(app.sqlite, { slackPages: 0 }).runPending();
    expect(report.pagesReclaimed).toBeGreaterThan(100);
    expect(app.sqlite.pragma('freelist_count', { simple: true })).toBe(0);
    app.close();
    expect(statSync(file).size).toBeLessThan(before / 2);
  });

  it('a file made by an earlier release (auto_vacuum off) is switched once on open, and search still finds everyone', () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(drizzle(old), { migrationsFolder: defaultMigrationsFolder() });
    old.pragma('recursive_triggers = ON');
    new PullPageApplier(old).apply(
      page(
        upserts(
          'user',
          Array.from({ length: 300 }, (_, i) => user(`old${i}`)),
        ),
      ),
    );
    // Rowids with gaps, as deletes leave them: VACUUM may renumber rowids, which search follows.
    old.prepare("DELETE FROM user WHERE id IN ('old3', 'old10', 'old100')").run();
    expect(old.pragma('auto_vacuum', { simple: true })).toBe(0);
    old.close();

    const lines: string[] = [];
    const app = openDatabase(file, { log: (l) => lines.push(l) });
    expect(app.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(lines).toHaveLength(1);
    const found = searchPeople(app, { query: 'Member old299', roles: [], origins: [], limit: 5, after: null });
    expect(found.items.map((m) => m.id)).toEqual(['old299']);
    expect(app.sqlite.prepare("INSERT INTO user_fts (user_fts) VALUES ('integrity-check')").run()).toBeTruthy();
    app.close();
    const again: string[] = [];
    openDatabase(file, { log: (l) => again.push(l) }).close();
    expect(again).toEqual([]);
  });

  it('the switch waits while a first sync is building member search, and happens at a later start', () => {
    const file = tempFile();
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(drizzle(old), { migrationsFolder: defaultMigrationsFolder() });
    deferForBulkLoad(old);
    old.close();
    const app = openDatabase(file);
    expect(app.sqlite.pragma('auto_vacuum', { simple: true })).toBe(0);
    app.close();
  });
});

describe('when maintenance runs', () => {
  it('waits while something else writes (a sync), and runs once the app has been quiet', async () => {
    const file = tempFile();
    const app = openDatabase(file);
    seed(app);
    let busy = true;
    const passes: number[] = [];
    const m = new LocalMaintenance(app.sqlite, { idleMs: 5, isBusy: () => busy });
    m.onPass((r) => passes.push(r.mergeSteps));
    pullErasure(app);
    m.noteChange(['user', 'user_action']);
    await new Promise((r) => setTimeout(r, 60));
    expect(passes).toEqual([]);
    expect(Object.keys(tracesIn(file)).length).toBeGreaterThan(0);
    busy = false;
    await expect.poll(() => passes.length, { timeout: 10_000 }).toBe(1);
    expect(passes[0]).toBeGreaterThan(0);
    expect(tracesIn(file)).toEqual({});
    m.close();
    app.close();
  });

  it('closing with work pending finishes it first', () => {
    const file = tempFile();
    const app = openDatabase(file);
    seed(app);
    const m = new LocalMaintenance(app.sqlite, { idleMs: 60_000 });
    pullErasure(app);
    m.noteChange(['user']);
    m.close({ finish: true });
    app.close();
    expect(tracesIn(file)).toEqual({});
  });
});
