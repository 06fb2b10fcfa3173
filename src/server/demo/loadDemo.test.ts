import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { PullResponse } from '../../shared/protocol.js';
import { SYNC_TABLES } from '../../shared/rows.js';
import { tableIdent, wireJson } from '../db/storedWire.js';
import { startServer } from '../startServer.js';
import { apiClient } from '../testing/httpClient.js';
import { BACKENDS, freshPglite, freshPostgres, postgresReachable, SKIP_PG_MESSAGE, type Backend } from '../testing/testBackends.js';
import { INGEST_KEY_SOURCES } from '../../shared/enums.js';
import { DEMO_SIZES } from './generateDemo.js';

// `--demo small` through startServer: the data lands complete and valid, the two demo logins
// work with their roles, the database behaves normally afterwards, and a restart with --demo
// does not load it twice.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

describe.each(BACKENDS)('demo small on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let backend: Backend | undefined;
  afterAll(async () => backend?.dispose());

  it.skipIf(skip)(
    'loads once with working demo logins, valid rows (stored wire text included) and intact indexes; a restart with --demo skips it',
    async () => {
      backend = kind === 'pglite' ? await freshPglite() : await freshPostgres();
      const server = await startServer({ data: backend.data, demo: 'small' });
      const db = server.admin.database;
      const counts = async () =>
        (
          await db.read((tx) =>
            tx.rows<{ users: number; actions: number; champions: number; cohorts: number; seqs: number; indexes: number }>(
              sql`SELECT (SELECT count(*) FROM "user")::int AS users, (SELECT count(*) FROM user_action)::int AS actions,
                       (SELECT count(*) FROM champion)::int AS champions, (SELECT count(*) FROM cohort)::int AS cohorts,
                       (SELECT count(DISTINCT seq) FROM user_action)::int AS seqs,
                       (SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema())::int AS indexes`,
            ),
          )
        )[0]!;
      const first = await counts();
      const s = DEMO_SIZES.small;
      // Plus the four demo logins (coordinator, student, since issue 14 superadmin, since issue 13 coordinator2).
      expect(first).toMatchObject({ users: s.users + 4, actions: s.actions, champions: s.champions, cohorts: s.cohorts, seqs: s.actions });
      // Vacuumed after the load: the visibility map is set, so the first pulls neither write
      // pages back nor visit the heap for the seq-only bounds query.
      const vis = await db.read((tx) =>
        tx.rows<{ visible: boolean }>(sql`SELECT relallvisible > 0 AS visible FROM pg_class WHERE relname = 'user_action'`),
      );
      expect(vis[0]?.visible).toBe(true);
      expect(first.indexes).toBeGreaterThan(20);
      // The bulk load runs with triggers off (session_replication_role = replica) except the wire
      // trigger, which is ENABLE ALWAYS: every loaded row's stored text is its wire row.
      const wrongWire = await db.read((tx) =>
        Promise.all(
          SYNC_TABLES.map(async (t) => {
            const r = await tx.rows<{ n: number }>(
              sql`SELECT count(*)::int AS n FROM ${tableIdent(t)} WHERE wire::jsonb IS DISTINCT FROM (${wireJson(t)})::jsonb`,
            );
            return [t, r[0]!.n] as const;
          }),
        ),
      );
      expect(Object.fromEntries(wrongWire)).toEqual(Object.fromEntries(SYNC_TABLES.map((t) => [t, 0])));

      const api = apiClient(server.url);
      const coord = await api.post<{ token: string; user: { roles: string[] } }>('/v1/auth/login', {
        email: 'coordinator@demo.local',
        password: 'demo-coordinator',
      });
      expect(coord.status).toBe(200);
      expect(coord.body.user.roles).toEqual(['admin']);
      const student = await api.post<{ user: { roles: string[] } }>('/v1/auth/login', { email: 'student@demo.local', password: 'demo-student' });
      expect(student.body.user.roles).toEqual(['student']);
      const superadmin = await api.post<{ user: { roles: string[] } }>('/v1/auth/login', {
        email: 'superadmin@demo.local',
        password: 'demo-superadmin',
      });
      expect(superadmin.body.user.roles).toEqual(['superadmin']);

      // The demo coordinators hold a few communities each (issue 13), overlapping by one; the superadmin holds all.
      expect(coord.body).toMatchObject({ user: { scope: { all: false, cohortIds: ['coh_013', 'coh_014', 'coh_015'] } } });
      const coord2 = await api.post<{ token: string }>('/v1/auth/login', { email: 'coordinator2@demo.local', password: 'demo-coordinator2' });
      expect(coord2.body).toMatchObject({ user: { roles: ['admin'], scope: { all: false, cohortIds: ['coh_015', 'coh_016', 'coh_017'] } } });
      expect(superadmin.body).toMatchObject({ user: { scope: { all: true, cohortIds: [] } } });
      const superToken = (superadmin.body as unknown as { token: string }).token;
      const page = await api.post('/v1/sync/pull', { clientId: '2f1c0000-0000-4000-8000-00000000000a', cursor: null, limit: 10_000 }, superToken);
      const parsed = PullResponse.parse(page.body);
      expect(parsed.changes).toHaveLength(10_000);
      expect(parsed.hasMore).toBe(true);
      // The coordinator's first page: every cohort, then whole members of their cohorts only.
      const scoped = PullResponse.parse(
        (await api.post('/v1/sync/pull', { clientId: '2f1c0000-0000-4000-8000-00000000000b', cursor: null, limit: 2000 }, coord.body.token)).body,
      );
      expect(scoped.changes.filter((c) => c.op === 'upsert' && c.table === 'cohort')).toHaveLength(s.cohorts);
      const inScope = new Set(
        (
          await db.read((tx) =>
            tx.rows<{ user_id: string }>(
              sql`SELECT DISTINCT user_id FROM enrollment WHERE cohort_id IN ('coh_013', 'coh_014', 'coh_015') UNION SELECT user_id FROM champion WHERE cohort_id IN ('coh_013', 'coh_014', 'coh_015')`,
            ),
          )
        ).map((r) => r.user_id),
      );
      const sentUsers = scoped.changes.flatMap((c) => (c.op === 'upsert' && c.table === 'user' ? [c.row.id] : []));
      expect(sentUsers.length).toBeGreaterThan(0);
      for (const u of sentUsers) expect(inScope.has(u), u).toBe(true);

      // Triggers are back on: a new write gets a seq above everything loaded.
      const push = await api.post<{ results: { status: string }[] }>(
        '/v1/sync/push',
        {
          clientId: '2f1c0000-0000-4000-8000-00000000000a',
          mutations: [{ id: 1, name: 'champion.create', args: { id: 'ch_new_demo', userId: 'usr_demo_student', cohortId: null, notes: '' } }],
        },
        superToken,
      );
      expect(push.body.results[0]!.status).toBe('applied');
      const top = await db.read((tx) =>
        tx.rows<{ ok: boolean }>(sql`SELECT (SELECT seq FROM champion WHERE id = 'ch_new_demo') > (SELECT max(seq) FROM user_action) AS ok`),
      );
      expect(top[0]!.ok).toBe(true);
      await server.close();

      const again = await startServer({ data: backend.data, demo: 'small' });
      const after = await (async () => {
        const r = await again.admin.database.read((tx) =>
          tx.rows<{ users: number; actions: number }>(
            sql`SELECT (SELECT count(*) FROM "user")::int AS users, (SELECT count(*) FROM user_action)::int AS actions`,
          ),
        );
        return r[0]!;
      })();
      expect(after).toEqual({ users: first.users, actions: first.actions });
      const againApi = apiClient(again.url);
      // One ingest key per upstream system (and platform), secret demo-ingest-<source>, each bound to its source.
      for (const source of INGEST_KEY_SOURCES) {
        const written = source === 'platform' ? 'stripe' : source;
        const body = {
          actions: [
            {
              user_id: 'usr_demo_student',
              action_type: 'viewed_module',
              source_system: written,
              source_event_id: `demo-key-${source}`,
              occurred_at: '2026-10-01T00:00:00Z',
            },
          ],
        };
        expect((await againApi.post('/v1/ingest/actions', body, `demo-ingest-${source}`)).status, source).toBe(200);
      }
      const wrongSource = {
        actions: [{ user_id: 'usr_demo_student', action_type: 'viewed_module', source_system: 'stripe', occurred_at: '2026-10-01T00:00:00Z' }],
      };
      expect((await againApi.post('/v1/ingest/actions', wrongSource, 'demo-ingest-segment')).status).toBe(403);
      expect(
        (
          await againApi.post(
            '/v1/ingest/actions',
            wrongSource,
            (await againApi.post<{ token: string }>('/v1/auth/login', { email: 'coordinator@demo.local', password: 'demo-coordinator' })).body.token,
          )
        ).status,
      ).toBe(403);
      // A demo database from before the superadmin and the keys existed gets them at the next --demo start.
      await again.admin.database.write(async (tx) => {
        await tx.rows(sql`DELETE FROM "user" WHERE id = 'usr_demo_superadmin'`);
        await tx.rows(sql`DELETE FROM ingest_key`);
      });
      await again.close();
      const third = await startServer({ data: backend.data, demo: 'small' });
      const thirdApi = apiClient(third.url);
      expect((await thirdApi.post('/v1/auth/login', { email: 'superadmin@demo.local', password: 'demo-superadmin' })).status).toBe(200);
      const appAction = {
        actions: [{ user_id: 'usr_demo_student', action_type: 'viewed_module', source_system: 'app', occurred_at: '2026-10-01T00:00:00Z' }],
      };
      expect((await thirdApi.post('/v1/ingest/actions', appAction, 'demo-ingest-app')).status).toBe(200);
      await third.close();
    },
  );
});
