import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient } from '../../src/server/testing/httpClient.js';
import { listOpenConflicts } from '../../src/main/sync/conflicts.js';
import { leftScopeNotice } from '../../src/main/sync/scopeEviction.js';
import {
  localDump,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  SYNC_BACKENDS,
  type TestClient,
  type TestServer,
  type World,
} from './harness.js';
import { scopedView } from './scopeView.js';

// Scoped sync (issue 13) against the real server: move-in brings a member whole, move-out
// leaves no trace (search included), a pending change about an evicted member is answered
// out_of_scope, and a coordinator with no scope holds no member.

const PW = 'pw-scoped-coordinator';
const SUPER = { id: 'usr_scope_super', email: 'super@scope.test', password: 'pw-super-scope' };

async function signedInAs(s: TestServer, email: string, password: string, limit = 7): Promise<TestClient> {
  const c = await newClient(s.url, { signIn: false, pullLimit: limit });
  await c.session.signIn(s.url, email, password);
  return c;
}

const memberIds = (c: TestClient) => (c.app.sqlite.prepare('SELECT id FROM "user" ORDER BY id').all() as { id: string }[]).map((r) => r.id);
const searchHits = (c: TestClient, term: string) =>
  (c.app.sqlite.prepare('SELECT count(*) AS n FROM user_fts WHERE user_fts MATCH ?').get(`"${term}"`) as { n: number }).n;

describe.each(SYNC_BACKENDS)('scoped sync (%s)', (backend) => {
  let s: TestServer;
  let world: World;
  let superToken: string;
  const api = () => apiClient(s.url);
  const putScope = async (userId: string, all: boolean, cohortIds: string[]) => {
    const r = await api().put(`/v1/admin/scopes/${userId}`, { all, cohortIds }, superToken);
    expect(r.status).toBe(200);
    return r.body;
  };
  const ingestKey = async () => (await s.server.admin.createIngestKey('platform')).secret;

  beforeAll(async () => {
    s = await startTestServer(backend);
    // 30 members, member i enrolled in cohort i % 3; champions (global) for the first 10.
    world = await seedWorld(s, { members: 30, cohorts: 3, champions: 10, actions: 300 });
    await s.server.admin.createUser({ ...SUPER, name: 'Super', roles: ['superadmin'] });
    const login = await api().post<{ token: string }>('/v1/auth/login', { email: SUPER.email, password: SUPER.password });
    superToken = login.body.token;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('widening a scope brings each new member whole; narrowing it removes every row of theirs, search included', async () => {
    await s.server.admin.createUser({ id: 'usr_k_widen', email: 'widen@scope.test', name: 'Widen', roles: ['admin'], password: PW });
    expect(await putScope('usr_k_widen', false, [world.cohorts[0]!])).toEqual({ userId: 'usr_k_widen', all: false, cohortIds: [world.cohorts[0]!] });
    const c = await signedInAs(s, 'widen@scope.test', PW);
    try {
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_widen'));
      expect(memberIds(c)).toHaveLength(10);

      await putScope('usr_k_widen', false, [world.cohorts[0]!, world.cohorts[1]!]);
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_widen'));
      expect(memberIds(c)).toHaveLength(20);
      // The app's "Your communities" follows: the pull told the laptop its new scope.
      expect(c.session.user()?.scope).toEqual({ all: false, cohortIds: [world.cohorts[0]!, world.cohorts[1]!] });
      // Member 1 is in cohort 1: their whole record came (actions and champion history too).
      const m1 = world.members[1]!;
      expect((c.app.sqlite.prepare('SELECT count(*) AS n FROM user_action WHERE user_id = ?').get(m1) as { n: number }).n).toBe(10);
      expect(
        (
          c.app.sqlite
            .prepare('SELECT count(*) AS n FROM champion_stage_change s JOIN champion c ON c.id = s.champion_id WHERE c.user_id = ?')
            .get(m1) as { n: number }
        ).n,
      ).toBe(1);
      expect(searchHits(c, `${m1}@example.org`)).toBe(1);

      await putScope('usr_k_widen', false, [world.cohorts[0]!]);
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_widen'));
      expect(memberIds(c)).toHaveLength(10);
      expect(searchHits(c, `${m1}@example.org`)).toBe(0);
      expect(
        (c.app.sqlite.prepare('SELECT count(*) AS n FROM insight_enrollment WHERE user_id = ?').get(m1) as { n: number } | undefined)?.n ?? 0,
      ).toBe(0);
      // What is kept about them: the id and when, for an open member page; not their name.
      expect(leftScopeNotice(c.app.sqlite, m1)).toMatchObject({ userId: m1 });
      expect(JSON.stringify(leftScopeNotice(c.app.sqlite, m1))).not.toContain('Member 1');
    } finally {
      await c.close();
    }
  });

  it('an enrollment moved into a scope cohort brings the member whole; moving their last one out removes them', async () => {
    await s.server.admin.createUser({ id: 'usr_k_move', email: 'move@scope.test', name: 'Move', roles: ['admin'], password: PW });
    await putScope('usr_k_move', false, [world.cohorts[0]!]);
    const c = await signedInAs(s, 'move@scope.test', PW);
    const key = await ingestKey();
    try {
      expect((await c.engine.syncNow()).error).toBeNull();
      const m2 = world.members[2]!; // cohort 2: outside the scope
      expect(memberIds(c)).not.toContain(m2);
      const moved = await api().post(
        '/v1/ingest/enrollments',
        {
          enrollments: [
            {
              id: world.enrollments[2]!.id,
              user_id: m2,
              cohort_id: world.cohorts[0]!,
              course_name: 'Ten Keys',
              status: 'active',
              enrolled_at: '2026-01-02T00:00:00Z',
            },
          ],
        },
        key,
      );
      expect(moved.body).toEqual({ results: [{ index: 0, status: 'updated', id: world.enrollments[2]!.id }] });
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(memberIds(c)).toContain(m2);
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_move'));

      const back = await api().post(
        '/v1/ingest/enrollments',
        {
          enrollments: [
            {
              id: world.enrollments[2]!.id,
              user_id: m2,
              cohort_id: world.cohorts[2]!,
              course_name: 'Ten Keys',
              status: 'active',
              enrolled_at: '2026-01-02T00:00:00Z',
            },
          ],
        },
        key,
      );
      expect(back.body).toEqual({ results: [{ index: 0, status: 'updated', id: world.enrollments[2]!.id }] });
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(memberIds(c)).not.toContain(m2);
      expect(searchHits(c, `${m2}@example.org`)).toBe(0);
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_move'));
    } finally {
      await c.close();
    }
  });

  it('a change made about a member who then leaves the scope is still sent, answered out_of_scope, and kept as a conflict with its text', async () => {
    await s.server.admin.createUser({ id: 'usr_k_pending', email: 'pending@scope.test', name: 'Pending', roles: ['admin'], password: PW });
    await putScope('usr_k_pending', false, [world.cohorts[0]!]);
    const c = await signedInAs(s, 'pending@scope.test', PW);
    try {
      expect((await c.engine.syncNow()).error).toBeNull();
      const champ = world.champions[3]!; // member 3: cohort 0
      c.local.setNotes({ id: champ, notes: 'Offline note the coordinator wrote' });
      await putScope('usr_k_pending', false, [world.cohorts[1]!]);
      const st = await c.engine.syncNow();
      expect(st.error).toBeNull();
      expect(st.pending).toBe(0);
      const conflicts = listOpenConflicts(c.app.sqlite);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ code: 'out_of_scope' });
      expect(JSON.stringify(conflicts[0])).toContain('Offline note the coordinator wrote');
      expect(memberIds(c)).not.toContain(world.members[3]);
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_pending'));
      // The server did not apply it.
      const server = await serverDump(s);
      expect((server.champion.find((r) => (r as { id: string }).id === champ) as { notes: string }).notes).toBe('');
    } finally {
      await c.close();
    }
  });

  it('a coordinator with no scope yet holds no members, but every cohort', async () => {
    await s.server.admin.createUser({ id: 'usr_k_none', email: 'none@scope.test', name: 'None', roles: ['admin'], password: PW });
    const c = await signedInAs(s, 'none@scope.test', PW);
    try {
      expect(c.session.user()?.scope).toEqual({ all: false, cohortIds: [] });
      expect((await c.engine.syncNow()).error).toBeNull();
      expect(memberIds(c)).toEqual([]);
      expect(localDump(c.app)).toEqual(await scopedView(s, 'usr_k_none'));
      expect(localDump(c.app).cohort).toHaveLength(3);
    } finally {
      await c.close();
    }
  });

  it('the admin API: superadmin only, 400 naming the field for an unknown cohort or a user who is not a coordinator', async () => {
    const coord = await api().post<{ token: string }>('/v1/auth/login', { email: 'none@scope.test', password: PW });
    expect((await api().get('/v1/admin/scopes/usr_k_none', coord.body.token)).status).toBe(403);
    expect((await api().put('/v1/admin/scopes/usr_k_none', { all: true, cohortIds: [] }, coord.body.token)).status).toBe(403);
    const unknown = await api().put('/v1/admin/scopes/usr_k_none', { all: false, cohortIds: [world.cohorts[0]!, 'coh_nope'] }, superToken);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 'bad_request', field: 'cohortIds[1]' } });
    const member = await api().put(`/v1/admin/scopes/${world.members[0]!}`, { all: true, cohortIds: [] }, superToken);
    expect(member.status).toBe(400);
    expect(member.body).toMatchObject({ error: { field: 'userId' } });
    const badBody = await api().put('/v1/admin/scopes/usr_k_none', { all: 'yes', cohortIds: [] }, superToken);
    expect(badBody.body).toMatchObject({ error: { field: 'all' } });
    expect((await api().get('/v1/admin/scopes/usr_k_none', superToken)).body).toEqual({ userId: 'usr_k_none', all: false, cohortIds: [] });
    expect((await api().get(`/v1/admin/scopes/${SUPER.id}`, superToken)).body).toEqual({ userId: SUPER.id, all: true, cohortIds: [] });
  });

  it('enrollment ingest: inserted, updated, unchanged; a bad row is a 400 naming it and nothing is written', async () => {
    const key = await ingestKey();
    const row = {
      id: 'enr_ingest_new',
      user_id: world.members[5]!,
      cohort_id: world.cohorts[1]!,
      course_name: 'Ten Keys',
      status: 'active',
      enrolled_at: '2026-03-01T00:00:00Z',
    };
    const first = await api().post('/v1/ingest/enrollments', { enrollments: [row] }, key);
    expect(first.body).toEqual({ results: [{ index: 0, status: 'inserted', id: row.id }] });
    const again = await api().post(
      '/v1/ingest/enrollments',
      {
        enrollments: [
          row,
          {
            id: world.enrollments[6]!.id,
            user_id: world.members[6]!,
            cohort_id: world.cohorts[0]!,
            course_name: 'Ten Keys',
            status: 'completed',
            enrolled_at: '2026-01-02T00:00:00Z',
          },
        ],
      },
      key,
    );
    expect(again.body).toEqual({
      results: [
        { index: 0, status: 'unchanged', id: row.id },
        { index: 1, status: 'updated', id: world.enrollments[6]!.id },
      ],
    });
    const before = await serverDump(s);
    const bad = await api().post(
      '/v1/ingest/enrollments',
      {
        enrollments: [
          { ...row, status: 'withdrawn' },
          { ...row, id: 'enr_x', cohort_id: 'coh_missing' },
        ],
      },
      key,
    );
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { field: 'enrollments[1].cohort_id' } });
    const stolen = await api().post('/v1/ingest/enrollments', { enrollments: [{ ...row, user_id: world.members[7]! }] }, key);
    expect(stolen.body).toMatchObject({ error: { field: 'enrollments[0].user_id' } });
    expect(await serverDump(s)).toEqual(before);
    // A person's session is not an ingest key, even a superadmin's.
    expect((await api().post('/v1/ingest/enrollments', { enrollments: [row] }, superToken)).status).toBe(403);
  });
});
