import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type AppDb } from '../db/open.js';
import { PullPageApplier } from './applyPullPage.js';
import { LocalMutations } from './localMutations.js';
import { readSyncState } from '../db/syncState.js';
import { champion, enrollment, page, upserts, user } from './testing/fixtures.js';
import { forgetMember } from './forgetMember.js';
import { dismissNotice, listNotices } from '../localData/notices.js';

// forgetMember on a real SQLite file: every table, the unsent outbox (ids closed up behind the
// removed ones), server bases, insight rows; called by both ways a pull page is applied.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function open(): AppDb {
  const dir = mkdtempSync(path.join(tmpdir(), 'afh-forget-'));
  dirs.push(dir);
  return openDatabase(path.join(dir, 'local.sqlite'));
}

const VICTIM = { ...user('usr_v'), name: 'Ottoline Vexmoor', email: 'ottoline@vexmoor.test' };

function seed(app: AppDb) {
  new PullPageApplier(app.sqlite).apply(
    page([
      ...upserts('user', [VICTIM, user('usr_o')]),
      ...upserts('enrollment', [enrollment('enr_v', 'usr_v', null), enrollment('enr_o', 'usr_o', null)]),
      ...upserts('champion', [champion('ch_v', 'usr_v', 'candidate'), champion('ch_o', 'usr_o', 'candidate')]),
      {
        table: 'user_action',
        op: 'upsert',
        row: {
          id: 'act_v',
          user_id: 'usr_v',
          enrollment_id: 'enr_v',
          action_type: 'viewed_module',
          target_type: 'module',
          target_id: 'mod_1',
          metadata: {},
          source_system: 'webhook',
          source_event_id: 'evt_v',
          idempotency_key: null,
          occurred_at: '2026-02-01T00:00:00Z',
        },
      },
    ]),
  );
  const local = new LocalMutations(app, { getUserId: () => 'usr_coord' });
  local.setNotes({ id: 'ch_o', notes: 'first, about someone else' }); // 1: stays
  local.setNotes({ id: 'ch_v', notes: 'plain words' }); // 2: their card
  local.setNotes({ id: 'ch_o', notes: `ask ${VICTIM.name} to mentor` }); // 3: names them
  local.moveChampion({ id: 'ch_o', to: 'selected', reason: 'ready' }); // 4: stays
}

const count = (app: AppDb, q: string) => (app.sqlite.prepare(q).get() as { n: number }).n;

describe('forgetMember', () => {
  for (const way of ['applyInSlices (main thread)', 'applyWhole (pull worker)'] as const) {
    it(`a pulled erasure via ${way} removes their rows, pending changes, bases and derived rows; the rest closes up`, async () => {
      const app = open();
      seed(app);
      expect(count(app, 'SELECT count(*) n FROM outbox')).toBe(4);
      expect(count(app, "SELECT count(*) n FROM insight_enrollment WHERE user_id = 'usr_v'")).toBe(1);
      const applier = new PullPageApplier(app.sqlite);
      // As the server sends an erasure: their rows first, the user row last.
      const erasure = page([
        { table: 'user_action', op: 'delete', id: 'act_v' },
        { table: 'champion', op: 'delete', id: 'ch_v' },
        { table: 'enrollment', op: 'delete', id: 'enr_v' },
        { table: 'user', op: 'delete', id: 'usr_v' },
      ]);
      if (way === 'applyWhole (pull worker)') applier.applyWhole(erasure);
      else await applier.applyInSlices(erasure);

      const outbox = app.sqlite.prepare('SELECT id, name, args FROM outbox ORDER BY id').all() as { id: number; name: string; args: string }[];
      expect(outbox.map((o) => [o.id, o.name])).toEqual([
        [1, 'champion.setNotes'],
        [2, 'champion.move'],
      ]);
      expect(readSyncState(app.sqlite).nextMutationId).toBe(3);
      for (const t of ['user', 'enrollment', 'user_action', 'champion', 'insight_enrollment', 'insight_enrollment_week']) {
        expect(
          count(app, `SELECT count(*) n FROM ${t} WHERE ${t === 'user' ? 'id' : t === 'champion' ? 'id' : 'user_id'} IN ('usr_v', 'ch_v')`),
          t,
        ).toBe(0);
      }
      expect(count(app, "SELECT count(*) n FROM server_base WHERE table_name = 'champion' AND row_id = 'ch_v'")).toBe(0);
      expect(count(app, 'SELECT count(*) n FROM gone_champion')).toBe(0);
      expect(count(app, "SELECT count(*) n FROM user_fts WHERE user_fts MATCH 'Vexmoor'")).toBe(0);
      // The other member is untouched.
      expect(count(app, "SELECT count(*) n FROM champion WHERE id = 'ch_o'")).toBe(1);
      const notices = listNotices(app.sqlite);
      expect(notices).toEqual([
        {
          id: expect.any(Number),
          kind: 'member_erased',
          message: expect.stringContaining('erased by the charity'),
          count: 1,
          createdAt: expect.any(String),
        },
      ]);
      app.close();
    });
  }

  it('returns what went, and a member with nothing here leaves no notice', () => {
    const app = open();
    seed(app);
    const pendingBefore = (app.sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    const counts = forgetMember(app.sqlite, 'usr_v', 'out_of_scope');
    // Leaving the scope keeps the pending changes: they are still sent and answered out_of_scope.
    expect(counts).toMatchObject({ user: 1, enrollment: 1, user_action: 1, champion: 1, outbox: 0 });
    expect((app.sqlite.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(pendingBefore);
    expect(listNotices(app.sqlite).map((n) => n.kind)).toEqual(['member_out_of_scope']);
    expect(forgetMember(app.sqlite, 'usr_nobody', 'erased')).toMatchObject({ user: 0, outbox: 0, conflict: 0 });
    expect(listNotices(app.sqlite)).toHaveLength(1);
    // A second removal of the same kind adds to the open notice; dismissed, it is gone from the list.
    forgetMember(app.sqlite, 'usr_o', 'out_of_scope');
    const [n] = listNotices(app.sqlite);
    expect(n!.count).toBe(2);
    expect(dismissNotice(app.sqlite, n!.id, new Date())).toBe(true);
    expect(listNotices(app.sqlite)).toEqual([]);
    expect(dismissNotice(app.sqlite, n!.id, new Date())).toBe(false);
    app.close();
  });
});
