import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalMaintenance } from '../../src/main/db/maintenance.js';
import { listNotices } from '../../src/main/localData/notices.js';
import { eraseUser } from '../../src/server/erasure.js';
import { newClient, seedWorld, startTestServer, type TestServer } from './harness.js';

// THE ERASURE TEST (issue 14 item 3, the laptop side): a member is erased on the server while a
// coordinator's laptop holds conflicts about them (their refused text, a change waiting behind it)
// and a pushed change that names them; after the next sync, a maintenance pass and a clean close,
// the raw bytes of the SQLite file, its WAL and SHM hold neither their name nor their email.

// Words whose first letters no other indexed term shares (FTS5 stores a term after its neighbour
// with the common prefix cut, which could hide a leftover from a byte search).
const NAME = 'Zebulon Quixotehart';
const EMAIL = 'zebulon.quixotehart@yonderwick.test';
const TRACES = ['zebulon', 'quixotehart', 'yonderwick'];
const VICTIM = 'usr_victim';
const CHAMPION = 'ch_victim';

function tracesIn(file: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
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

let s: TestServer;
let others: string[];

beforeAll(async () => {
  s = await startTestServer();
  others = (await seedWorld(s, { members: 6, cohorts: 1, champions: 3 })).champions;
  await s.server.admin.database.write(async (tx) => {
    await tx.rows(
      sql`INSERT INTO "user" (id, email, name, origin, profile_img, roles, created_at)
          VALUES (${VICTIM}, ${EMAIL}, ${NAME}, 'leeds', NULL, '["student"]'::jsonb, '2026-01-01T00:00:00Z')`,
    );
    await tx.rows(
      sql`INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at) VALUES ('enr_victim', ${VICTIM}, NULL, 'Ten Keys', 'active', '2026-01-02T00:00:00Z')`,
    );
    await tx.rows(
      sql`INSERT INTO champion (id, user_id, cohort_id, stage, notes, selected_at, became_champion_at) VALUES (${CHAMPION}, ${VICTIM}, NULL, 'candidate', '', NULL, NULL)`,
    );
    await tx.rows(
      sql`INSERT INTO user_action (id, user_id, enrollment_id, action_type, target_type, target_id, metadata, source_system, source_event_id, occurred_at)
          SELECT 'act_victim_' || i, ${VICTIM}, 'enr_victim', 'posted_thread', 'thread', 'thr_' || i, jsonb_build_object('title', 'Notes from Zebulon, part ' || i), 'webhook', 'evt_victim_' || i, '2026-02-01T00:00:00Z'
          FROM generate_series(1, 20) AS i`,
    );
  });
});
afterAll(async () => {
  await s?.close();
});

describe('a member erased on the server leaves the laptop', () => {
  it('conflicts and pending text about them go with their rows, a notice says so, and the file bytes hold neither name nor email', async () => {
    // Erases the member on the server just before Alice's next pull, after her push: her pushed change
    // that names them is then still in her outbox (it stays until a pull brings its effect).
    let eraseBeforePull = false;
    const fetchWithErasure: typeof fetch = async (input, init) => {
      if (eraseBeforePull && String(input).endsWith('/v1/sync/pull')) {
        eraseBeforePull = false;
        expect(outboxText()).toContain(NAME);
        await eraseUser(s.server.admin.database, VICTIM, 'usr_super');
      }
      return fetch(input, init);
    };
    const outboxText = () => (alice.app.sqlite.prepare('SELECT group_concat(args) AS t FROM outbox').get() as { t: string | null }).t ?? '';
    const alice = await newClient(s.url, { fetch: fetchWithErasure });
    const bob = await newClient(s.url);
    try {
      await alice.engine.syncNow();
      await bob.engine.syncNow();
      // Bob's notes win; Alice's, written offline over the old text, are refused and kept as a conflict with her text,
      // and her next edit of the card waits behind it.
      bob.local.setNotes({ id: CHAMPION, notes: `Bob: ${NAME} runs the Leeds group` });
      await bob.engine.syncNow();
      alice.local.setNotes({ id: CHAMPION, notes: `Alice: call ${NAME} on ${EMAIL}` });
      alice.local.setNotes({ id: CHAMPION, notes: `Alice again: ${NAME} said yes` });
      await alice.engine.syncNow();
      expect(alice.local.listConflicts().conflicts.length).toBe(2);
      // Another card's notes name them: pushed, and still in the outbox until a pull brings it.
      alice.local.setNotes({ id: others[0]!, notes: `Pair with ${NAME}` });
      expect(outboxText()).toContain(NAME);
      const conflictText = () =>
        (alice.app.sqlite.prepare("SELECT group_concat(args || coalesce(current, '')) AS t FROM conflict").get() as { t: string | null }).t ?? '';
      expect(conflictText()).toContain(NAME);
      alice.app.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      expect(Object.keys(tracesIn(alice.file)).length).toBeGreaterThan(0); // the scan sees them while they are there

      eraseBeforePull = true;
      const status = await alice.engine.syncNow();
      expect(status.phase, status.error ?? '').toBe('idle');
      expect(eraseBeforePull).toBe(false);

      expect(alice.local.listConflicts().conflicts).toEqual([]);
      expect(status.conflicts).toBe(0);
      expect(outboxText()).not.toContain(NAME);
      expect(conflictText()).not.toMatch(/Zebulon|Quixotehart/);
      expect(alice.app.sqlite.prepare("SELECT count(*) AS n FROM setting WHERE key LIKE 'sync.%' AND value LIKE '%victim%'").get()).toEqual({ n: 0 });
      expect(alice.app.sqlite.prepare("SELECT count(*) AS n FROM server_base WHERE row LIKE '%victim%'").get()).toEqual({ n: 0 });
      // The other card's notes arrive redacted from the server.
      const notes = alice.app.sqlite.prepare('SELECT notes FROM champion WHERE id = ?').get(others[0]!) as { notes: string };
      expect(notes.notes).toBe('Pair with [erased member]');
      const notices = listNotices(alice.app.sqlite);
      expect(notices).toMatchObject([{ kind: 'member_erased', count: 1 }]);
      expect(JSON.stringify(notices)).not.toMatch(/Zebulon|Quixotehart|yonderwick|victim/i);

      // As the app closes: the pending maintenance pass, then a clean close.
      await alice.engine.stop();
      new LocalMaintenance(alice.app.sqlite).runPending();
      alice.app.close();
      expect(tracesIn(alice.file)).toEqual({});
    } finally {
      await alice.close().catch(() => undefined);
      await bob.close();
    }
  });
});
