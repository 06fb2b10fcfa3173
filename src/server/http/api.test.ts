import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PullResponse, PushResponse, type Change } from '../../shared/protocol.js';
import { applyChanges, dumpTables, emptyMirror, mirrorToObject, pullUntilDone } from '../testing/dumpTables.js';
import { apiClient, type ApiClient } from '../testing/httpClient.js';
import { BACKENDS, postgresReachable, SKIP_PG_MESSAGE, startTestServer, type TestServer } from '../testing/testBackends.js';

// Every endpoint of docs/protocol.md over real HTTP on loopback, against PGlite and (when reachable)
// PostgreSQL. One server per backend for the whole file; each test uses its own clientIds and
// rows so tests do not depend on each other's order.

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);

const T0 = '2026-04-01T10:00:00Z';
const PASSWORD = 'correct horse battery staple';

describe.each(BACKENDS)('reference server on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let server: TestServer;
  let api: ApiClient;
  let coord: string; // admin token
  let coord2: string; // another admin
  let superadmin: string;
  let student: string;
  let platformKey: string; // an upstream ingest key that may write any source

  const login = async (email: string, password = PASSWORD) => {
    const r = await api.post<{ token: string }>('/v1/auth/login', { email, password });
    expect(r.status).toBe(200);
    return r.body.token;
  };
  const push = (token: string, clientId: string, mutations: unknown[]) =>
    api.post<PushResponse & { error?: { code: string; field?: string }; expected?: number }>('/v1/sync/push', { clientId, mutations }, token);
  const pull = async (token: string, clientId: string, cursor: string | null, limit?: number) => {
    const r = await api.post('/v1/sync/pull', limit === undefined ? { clientId, cursor } : { clientId, cursor, limit }, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return PullResponse.parse(r.body);
  };
  const count = async (q: ReturnType<typeof sql>) =>
    (await server.admin.database.read((tx) => tx.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM (${q}) x`)))[0]!.n;
  let memberNo = 0;
  /** A fresh member (with no login) to hang champion rows on. */
  const member = async () => {
    const id = `usr_t${++memberNo}_${kind}`;
    await server.admin.createUser({ id, email: `${id}@test.local`, name: `Member ${memberNo}`, roles: ['student'], password: 'x-unused-x' });
    return id;
  };

  beforeAll(async () => {
    if (skip) return;
    server = await startTestServer(kind);
    api = apiClient(server.url);
    const mk = (id: string, email: string, roles: ('admin' | 'superadmin' | 'student')[]) =>
      server.admin.createUser({ id, email, name: id, roles, password: PASSWORD });
    await mk('usr_coord', 'coord@test.local', ['admin']);
    await mk('usr_coord2', 'coord2@test.local', ['admin']);
    for (const id of ['usr_coord', 'usr_coord2']) await server.admin.setScope(id, { all: true, cohortIds: [] });
    await mk('usr_super', 'super@test.local', ['superadmin']);
    await mk('usr_student', 'student@test.local', ['student']);
    await server.admin.insertRows('cohort', [
      { id: 'coh_a', name: 'Cohort A', starts_at: T0, ends_at: null, status: 'active', created_at: T0 },
      { id: 'coh_b', name: 'Cohort B', starts_at: null, ends_at: null, status: 'planned', created_at: T0 },
    ]);
    coord = await login('coord@test.local');
    coord2 = await login('coord2@test.local');
    superadmin = await login('super@test.local');
    student = await login('student@test.local');
    platformKey = (await server.admin.createIngestKey('platform')).secret;
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  describe.skipIf(skip)('health and auth', () => {
    it('health answers ok with the database kind, protocol 2 and the database id, without a token', async () => {
      const r = await api.get('/v1/health');
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ ok: true, db: kind, protocol: 2, databaseId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown as string });
    });

    it('login returns a token, its expiry and the user; email matching ignores case', async () => {
      const r = await api.post<{ token: string; expiresAt: string; user: unknown }>('/v1/auth/login', {
        email: 'COORD@test.local',
        password: PASSWORD,
      });
      expect(r.status).toBe(200);
      expect(r.body.token.length).toBeGreaterThan(30);
      expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now());
      expect(r.body.user).toEqual({
        id: 'usr_coord',
        email: 'coord@test.local',
        name: 'usr_coord',
        roles: ['admin'],
        scope: { all: true, cohortIds: [] },
      });
    });

    it('unknown email and wrong password get the same 401 body', async () => {
      const a = await api.post('/v1/auth/login', { email: 'nobody@test.local', password: 'whatever' });
      const b = await api.post('/v1/auth/login', { email: 'student@test.local', password: 'wrong' });
      expect(a.status).toBe(401);
      expect(b.status).toBe(401);
      expect(a.body).toEqual(b.body);
      expect(a.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    });

    it('stores passwords only as salted hashes', async () => {
      // Salt and parameters now travel inside each hash (a PHC string), so the salts are compared there.
      const rows = await server.admin.database.read((tx) =>
        tx.rows<{ salt: string; hash: string }>(
          sql`SELECT split_part(hash, '$', 5) AS salt, hash FROM credential WHERE user_id IN ('usr_coord', 'usr_coord2')`,
        ),
      );
      expect(rows).toHaveLength(2);
      expect(rows[0]!.salt).not.toBe(rows[1]!.salt);
      expect(rows[0]!.hash).not.toBe(rows[1]!.hash); // same password, different salts
      expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    });

    it('a login body with a missing or unknown field is a 400 naming the field', async () => {
      const a = await api.post('/v1/auth/login', { email: 'coord@test.local' });
      expect(a.status).toBe(400);
      expect(a.body).toMatchObject({ error: { code: 'bad_request', field: 'password' } });
      const b = await api.post('/v1/auth/login', { email: 'coord@test.local', password: PASSWORD, remember: true });
      expect(b.status).toBe(400);
      expect(b.body).toMatchObject({ error: { code: 'bad_request' } });
    });

    it('repeated failed logins for one email are slowed down with 429 and Retry-After, even for the right password', async () => {
      await server.admin.createUser({ id: 'usr_victim', email: 'victim@test.local', name: 'Victim', roles: ['admin'], password: PASSWORD });
      for (let i = 0; i < 4; i++) expect((await api.post('/v1/auth/login', { email: 'victim@test.local', password: `guess${i}` })).status).toBe(401);
      expect((await api.post('/v1/auth/login', { email: 'victim@test.local', password: 'guess5' })).status).toBe(401);
      const blocked = await api.post('/v1/auth/login', { email: 'Victim@test.local', password: PASSWORD });
      expect(blocked.status).toBe(429);
      expect(blocked.body).toMatchObject({ error: { code: 'rate_limited' } });
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // Other emails are not affected.
      expect((await api.post('/v1/auth/login', { email: 'coord2@test.local', password: PASSWORD })).status).toBe(200);
    });

    it('logout revokes the token (204), after which it gets 401', async () => {
      const t = await login('coord@test.local');
      const c = randomUUID();
      await pull(t, c, null, 1);
      expect((await api.call('POST', '/v1/auth/logout', { token: t })).status).toBe(204);
      const after = await api.post('/v1/sync/pull', { clientId: c, cursor: null }, t);
      expect(after.status).toBe(401);
      expect(after.body).toMatchObject({ error: { code: 'unauthorized' } });
    });

    it('an expired token gets 401', async () => {
      const t = await login('coord@test.local');
      const hash = createHash('sha256').update(t).digest('hex');
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE session SET expires_at = now() - interval '1 second' WHERE token_hash = ${hash}`));
      expect((await api.post('/v1/sync/pull', { clientId: randomUUID(), cursor: null }, t)).status).toBe(401);
    });

    it('push, pull, ingest and erase without a token get 401', async () => {
      for (const [method, path] of [
        ['POST', '/v1/sync/push'],
        ['POST', '/v1/sync/pull'],
        ['POST', '/v1/ingest/actions'],
        ['DELETE', '/v1/users/usr_student'],
        ['POST', '/v1/auth/logout'],
      ] as const) {
        const r = await api.call(method, path, method === 'POST' ? { body: {} } : {});
        expect(r.status, path).toBe(401);
        expect(r.body).toMatchObject({ error: { code: 'unauthorized' } });
      }
      expect((await api.post('/v1/sync/pull', { clientId: randomUUID(), cursor: null }, 'not-a-token')).status).toBe(401);
    });

    it('a student gets 403 on push, pull and ingest; an admin gets 403 on erase', async () => {
      const c = randomUUID();
      expect((await push(student, c, [])).status).toBe(403);
      expect((await api.post('/v1/sync/pull', { clientId: c, cursor: null }, student)).status).toBe(403);
      expect((await api.post('/v1/ingest/actions', { actions: [] }, student)).status).toBe(403);
      const r = await api.del('/v1/users/usr_student', coord);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'forbidden' } });
    });
  });

  describe.skipIf(skip)('push', () => {
    it('applies a champion create, move, setNotes, setCohort and remove, recording stage changes by the pushing user', async () => {
      const u = await member();
      const c = randomUUID();
      const r = await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: 'keen' } },
        { id: 2, name: 'champion.move', args: { id: `ch_${u}`, from: 'candidate', to: 'selected', at: T0, reason: 'great', baseVersion: null } },
        { id: 3, name: 'champion.setNotes', args: { id: `ch_${u}`, notes: 'keen, local', baseNotes: 'keen' } },
        { id: 4, name: 'champion.setCohort', args: { id: `ch_${u}`, cohortId: 'coh_a', baseCohortId: null } },
        { id: 5, name: 'champion.create', args: { id: `ch2_${u}`, userId: u, cohortId: 'coh_b', notes: '' } },
        { id: 6, name: 'champion.remove', args: { id: `ch2_${u}` } },
      ]);
      expect(r.status).toBe(200);
      expect(r.body.lastMutationId).toBe(6);
      expect(r.body.results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
      const row = await server.admin.database.read((tx) =>
        tx.rows(sql`SELECT stage, notes, cohort_id, afh_iso(selected_at) AS s FROM champion WHERE id = ${`ch_${u}`}`),
      );
      expect(row).toEqual([{ stage: 'selected', notes: 'keen, local', cohort_id: 'coh_a', s: '2026-04-01T10:00:00.000Z' }]);
      const history = await server.admin.database.read((tx) =>
        tx.rows(sql`SELECT from_stage, to_stage, changed_by, reason FROM champion_stage_change WHERE champion_id = ${`ch_${u}`} ORDER BY seq`),
      );
      expect(history).toEqual([
        { from_stage: null, to_stage: 'candidate', changed_by: 'usr_coord', reason: null },
        { from_stage: 'candidate', to_stage: 'selected', changed_by: 'usr_coord', reason: 'great' },
      ]);
      expect(await count(sql`SELECT 1 FROM champion_stage_change WHERE champion_id = ${`ch2_${u}`}`)).toBe(0);
      expect(await count(sql`SELECT 1 FROM tombstone WHERE row_id = ${`ch2_${u}`} AND table_name = 'champion'`)).toBe(1);
    });

    it('gives the champion role on entering champion and takes it away on leaving the last champion row', async () => {
      const u = await member();
      const c = randomUUID();
      const id = `ch_${u}`;
      const step = (n: number, from: string, to: string) => ({
        id: n,
        name: 'champion.move',
        args: { id, from, to, at: T0, reason: null, baseVersion: null },
      });
      const roles = async () =>
        (await server.admin.database.read((tx) => tx.rows<{ roles: string[] }>(sql`SELECT roles FROM "user" WHERE id = ${u}`)))[0]!.roles;
      await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id, userId: u, cohortId: null, notes: '' } },
        step(2, 'candidate', 'selected'),
        step(3, 'selected', 'champion'),
      ]);
      expect(await roles()).toEqual(['student', 'champion']);
      const became = await server.admin.database.read((tx) => tx.rows(sql`SELECT afh_iso(became_champion_at) AS b FROM champion WHERE id = ${id}`));
      expect(became).toEqual([{ b: '2026-04-01T10:00:00.000Z' }]);
      await push(coord, c, [step(4, 'champion', 'alumni')]);
      expect(await roles()).toEqual(['student']);
    });

    it('rejects each broken rule with its code, consuming the id, and names the bad field for invalid args', async () => {
      // Protocol 2: a refusal makes later changes to the same row in the same push wait (the next
      // test), so each rule is broken on a row of its own.
      const rows: string[] = [];
      for (let i = 0; i < 7; i++) rows.push(`ch_${await member()}`);
      const [a, b, cRow, d, e, f, g] = rows as [string, string, string, string, string, string, string];
      const u = `usr_t${memberNo}_${kind}`;
      const c = randomUUID();
      const made = await push(
        coord,
        c,
        rows.map((id, i) => ({
          id: i + 1,
          name: 'champion.create',
          args: { id, userId: `usr_t${memberNo - 6 + i}_${kind}`, cohortId: null, notes: 'n' },
        })),
      );
      expect(made.body.results.map((x) => x.status)).toEqual(Array(7).fill('applied'));
      const r = await push(coord, c, [
        { id: 8, name: 'champion.create', args: { id: 'ch_ghost', userId: 'usr_nobody', cohortId: null, notes: '' } },
        { id: 9, name: 'champion.create', args: { id: 'ch_ghost2', userId: u, cohortId: 'coh_nope', notes: '' } },
        { id: 10, name: 'champion.move', args: { id: a, from: 'selected', to: 'champion', at: T0, reason: null, baseVersion: 1 } },
        { id: 11, name: 'champion.move', args: { id: b, from: 'candidate', to: 'champion', at: T0, reason: null, baseVersion: 1 } },
        { id: 12, name: 'champion.move', args: { id: 'ch_missing', from: 'candidate', to: 'selected', at: T0, reason: null, baseVersion: 1 } },
        { id: 13, name: 'champion.setNotes', args: { id: cRow, notes: 'mine', baseNotes: 'not what the server has' } },
        { id: 14, name: 'champion.setCohort', args: { id: d, cohortId: 'coh_b', baseCohortId: 'coh_a' } },
        { id: 15, name: 'champion.move', args: { id: e, from: 'candidate', to: 'flying', at: T0, reason: null, baseVersion: 1 } },
        { id: 16, name: 'champion.teleport', args: {} },
        {
          id: 17,
          name: 'champion.move',
          args: { id: f, from: 'candidate', to: 'selected', at: new Date(Date.now() + 3600_000).toISOString(), reason: null, baseVersion: 1 },
        },
        {
          id: 18,
          name: 'action.record',
          args: {
            id: 'act_x',
            userId: u,
            enrollmentId: null,
            actionType: 'enrolled',
            targetType: null,
            targetId: null,
            metadata: [1],
            occurredAt: T0,
            idempotencyKey: 'k',
          },
        },
        {
          id: 19,
          name: 'action.record',
          args: {
            id: 'act_y',
            userId: 'usr_nobody',
            enrollmentId: null,
            actionType: 'enrolled',
            targetType: null,
            targetId: null,
            metadata: {},
            occurredAt: T0,
            idempotencyKey: `k_${c}`,
          },
        },
        { id: 20, name: 'champion.move', args: { id: g, from: 'candidate', to: 'selected', at: T0, reason: null, baseVersion: 1 } },
        { id: 21, name: 'champion.remove', args: { id: g } },
        { id: 22, name: 'champion.remove', args: { id: 'ch_missing_too' } },
      ]);
      expect(r.status).toBe(200);
      expect(r.body.lastMutationId).toBe(22);
      const byId = Object.fromEntries(r.body.results.map((x) => [x.id, x]));
      expect(byId[8]).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(byId[9]).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(byId[10]).toMatchObject({ status: 'rejected', code: 'stale', current: { id: a, stage: 'candidate', notes: 'n' } });
      expect(byId[11]).toMatchObject({ status: 'rejected', code: 'invalid_transition', current: { id: b, stage: 'candidate' } });
      expect(byId[12]).toMatchObject({ status: 'rejected', code: 'not_found', current: null });
      expect(byId[13]).toMatchObject({ status: 'rejected', code: 'stale', current: { notes: 'n' } });
      expect(byId[14]).toMatchObject({ status: 'rejected', code: 'stale', current: { cohort_id: null } });
      expect(byId[15]).toMatchObject({ status: 'rejected', code: 'invalid_args', field: 'args.to', current: { id: e } });
      expect(byId[16]).toMatchObject({ status: 'rejected', code: 'invalid_args', field: 'name' });
      // A refusal carries the server's row whenever it has one (a clock running fast must not make the laptop drop the card).
      expect(byId[17]).toMatchObject({ status: 'rejected', code: 'invalid_args', field: 'args.at', current: { id: f, stage: 'candidate' } });
      expect(byId[18]).toMatchObject({ status: 'rejected', code: 'invalid_args', field: 'args.metadata' });
      expect(byId[19]).toMatchObject({ status: 'rejected', code: 'not_found' });
      expect(byId[20]!.status).toBe('applied');
      expect(byId[21]).toMatchObject({ status: 'rejected', code: 'invalid_transition', current: { stage: 'selected' } });
      expect(byId[22]).toMatchObject({ status: 'rejected', code: 'not_found' });
      for (const x of r.body.results.filter((x) => x.status === 'rejected')) expect(x.message).toEqual(expect.any(String));
    });

    it('a refused change makes later changes to the same row in the same push wait (blocked, with the server’s row); other rows go on', async () => {
      const [x, y] = [`ch_${await member()}`, `ch_${await member()}`];
      const c = randomUUID();
      await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id: x, userId: x.slice(3), cohortId: null, notes: 'n' } },
        { id: 2, name: 'champion.create', args: { id: y, userId: y.slice(3), cohortId: null, notes: '' } },
      ]);
      const r = await push(coord, c, [
        { id: 3, name: 'champion.move', args: { id: x, from: 'selected', to: 'champion', at: T0, reason: null, baseVersion: 1 } },
        { id: 4, name: 'champion.setNotes', args: { id: x, notes: 'made after the refused move', baseNotes: 'n' } },
        { id: 5, name: 'champion.setNotes', args: { id: y, notes: 'another row', baseNotes: '' } },
        { id: 6, name: 'champion.move', args: { id: x, from: 'candidate', to: 'selected', at: T0, reason: null, baseVersion: 1 } },
      ]);
      expect(r.body.results.map((z) => [z.id, z.status, z.code ?? null])).toEqual([
        [3, 'rejected', 'stale'],
        [4, 'rejected', 'blocked'],
        [5, 'applied', null],
        [6, 'rejected', 'blocked'],
      ]);
      expect(r.body.results[1]).toMatchObject({ current: { id: x, stage: 'candidate', notes: 'n' } });
      const rows = await server.admin.database.read((tx) =>
        tx.rows(sql`SELECT id, stage, notes FROM champion WHERE id IN (${x}, ${y}) ORDER BY id = ${y}`),
      );
      expect(rows).toEqual([
        { id: x, stage: 'candidate', notes: 'n' },
        { id: y, stage: 'candidate', notes: 'another row' },
      ]);
    });

    it('two coordinators creating the same global candidate: one applied, the other duplicate_champion with the existing row', async () => {
      const u = await member();
      const [a, b] = await Promise.all([
        push(coord, randomUUID(), [{ id: 1, name: 'champion.create', args: { id: `ch_a_${u}`, userId: u, cohortId: null, notes: 'from A' } }]),
        push(coord2, randomUUID(), [{ id: 1, name: 'champion.create', args: { id: `ch_b_${u}`, userId: u, cohortId: null, notes: 'from B' } }]),
      ]);
      const results = [a.body.results[0]!, b.body.results[0]!];
      const won = results.filter((x) => x.status === 'applied');
      const lost = results.filter((x) => x.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.code).toBe('duplicate_champion');
      const winnerId = won[0] === results[0] ? `ch_a_${u}` : `ch_b_${u}`;
      expect(lost[0]!.current).toMatchObject({ id: winnerId, user_id: u, cohort_id: null, stage: 'candidate' });
      expect(await count(sql`SELECT 1 FROM champion WHERE user_id = ${u}`)).toBe(1);
    });

    it('a repeated create with the same id and content is applied; one row for the same cohort is duplicate_champion', async () => {
      const u = await member();
      const args = { id: `ch_${u}`, userId: u, cohortId: 'coh_a', notes: 'same' };
      const r = await push(coord, randomUUID(), [
        { id: 1, name: 'champion.create', args },
        { id: 2, name: 'champion.create', args },
        { id: 3, name: 'champion.create', args: { ...args, id: `chx_${u}` } },
        { id: 4, name: 'champion.setCohort', args: { id: `ch_${u}`, cohortId: 'coh_a', baseCohortId: 'coh_b' } },
      ]);
      expect(r.body.results.map((x) => x.status)).toEqual(['applied', 'applied', 'rejected', 'applied']);
      expect(r.body.results[2]).toMatchObject({ code: 'duplicate_champion', current: { id: `ch_${u}` } });
      expect(await count(sql`SELECT 1 FROM champion_stage_change WHERE champion_id = ${`ch_${u}`}`)).toBe(1);
    });

    it('setCohort into a slot the member already holds is duplicate_champion', async () => {
      const u = await member();
      const r = await push(coord, randomUUID(), [
        { id: 1, name: 'champion.create', args: { id: `cha_${u}`, userId: u, cohortId: 'coh_a', notes: '' } },
        { id: 2, name: 'champion.create', args: { id: `chb_${u}`, userId: u, cohortId: 'coh_b', notes: '' } },
        { id: 3, name: 'champion.setCohort', args: { id: `chb_${u}`, cohortId: 'coh_a', baseCohortId: 'coh_b' } },
      ]);
      expect(r.body.results[2]).toMatchObject({ status: 'rejected', code: 'duplicate_champion', current: { id: `cha_${u}` } });
    });

    it('resending the same push applies nothing twice', async () => {
      const u = await member();
      const c = randomUUID();
      const batch = [
        { id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: '' } },
        { id: 2, name: 'champion.move', args: { id: `ch_${u}`, from: 'candidate', to: 'selected', at: T0, reason: null, baseVersion: null } },
        {
          id: 3,
          name: 'action.record',
          args: {
            id: `act_${u}`,
            userId: u,
            enrollmentId: null,
            actionType: 'posted_reply',
            targetType: 'thread',
            targetId: 'thr_1',
            metadata: { words: 3 },
            occurredAt: T0,
            idempotencyKey: `user_action:manual:${c}:1`,
          },
        },
      ];
      const first = await push(coord, c, batch);
      expect(first.body.results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied']);
      const again = await push(coord, c, batch);
      expect(again.status).toBe(200);
      // Protocol 2: the resend gets the answers of the first time (protocol 1 said `already_applied`).
      expect(again.body).toMatchObject({ lastMutationId: 3, results: first.body.results });
      expect(await count(sql`SELECT 1 FROM champion_stage_change WHERE champion_id = ${`ch_${u}`}`)).toBe(2);
      expect(await count(sql`SELECT 1 FROM user_action WHERE user_id = ${u}`)).toBe(1);
      // Overlapping resend: 2 and 3 already applied, 4 is new.
      const more = await push(coord, c, [
        ...batch.slice(1),
        { id: 4, name: 'champion.setNotes', args: { id: `ch_${u}`, notes: 'x', baseNotes: '' } },
      ]);
      expect(more.body.results.map((x) => x.status)).toEqual(['applied', 'applied', 'applied']);
      expect(await count(sql`SELECT 1 FROM champion_stage_change WHERE champion_id = ${`ch_${u}`}`)).toBe(2);
    });

    it('a gap gets 409 mutation_gap with the expected id and applies nothing', async () => {
      const u = await member();
      const c = randomUUID();
      const r = await push(coord, c, [{ id: 2, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: '' } }]);
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ error: { code: 'mutation_gap' }, expected: 1 });
      const holes = await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: '' } },
        { id: 3, name: 'champion.setNotes', args: { id: `ch_${u}`, notes: 'x', baseNotes: '' } },
      ]);
      expect(holes.status).toBe(409);
      expect(holes.body).toMatchObject({ error: { code: 'mutation_gap' }, expected: 1 });
      expect(await count(sql`SELECT 1 FROM champion WHERE user_id = ${u}`)).toBe(0);
      const empty = await push(coord, c, []);
      expect(empty.body).toMatchObject({ lastMutationId: 0, results: [] });
    });

    it('another user’s clientId gets 403 on push and pull', async () => {
      const c = randomUUID();
      expect((await push(coord, c, [])).status).toBe(200);
      const r = await push(coord2, c, []);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'forbidden', field: 'clientId' } });
      expect((await api.post('/v1/sync/pull', { clientId: c, cursor: null }, coord2)).status).toBe(403);
    });

    it('a clientId first used by a pull belongs to that user: another user’s push with it gets 403', async () => {
      const c = randomUUID();
      await pull(coord2, c, null, 1);
      expect((await push(coord, c, [])).status).toBe(403);
      expect((await push(coord2, c, [])).status).toBe(200);
    });

    it('a body that is not a push request is a 400 naming the field, and changes nothing', async () => {
      const c = randomUUID();
      const cases: [unknown, string][] = [
        [{ clientId: 'not-a-uuid', mutations: [] }, 'clientId'],
        [{ clientId: c }, 'mutations'],
        [{ clientId: c, mutations: [{ id: 'one', name: 'champion.remove', args: {} }] }, 'mutations[0].id'],
        [{ clientId: c, mutations: [], extra: 1 }, 'body'],
        [
          { clientId: c, mutations: Array.from({ length: 1001 }, (_, i) => ({ id: i + 1, name: 'champion.remove', args: { id: 'x' } })) },
          'mutations',
        ],
      ];
      for (const [body, field] of cases) {
        const r = await api.post('/v1/sync/push', body, coord);
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body).toMatchObject({ error: { code: 'bad_request', field } });
      }
      expect(await count(sql`SELECT 1 FROM sync_client WHERE client_id = ${c}`)).toBe(0);
    });

    it('action.record inserts a manual action and a repeated idempotency key answers deduplicatedTo the first id', async () => {
      const u = await member();
      const c = randomUUID();
      const key = `user_action:manual:${c}:7`;
      const args = {
        id: `act_m_${u}`,
        userId: u,
        enrollmentId: null,
        actionType: 'answered_question',
        targetType: 'question',
        targetId: 'q_1',
        metadata: { note: 'Zoë said hi' },
        occurredAt: T0,
        idempotencyKey: key,
      };
      const r = await push(coord, c, [
        { id: 1, name: 'action.record', args },
        { id: 2, name: 'action.record', args: { ...args, id: `act_m2_${u}` } },
      ]);
      expect(r.body.results).toEqual([
        { id: 1, status: 'applied' },
        { id: 2, status: 'applied', deduplicatedTo: `act_m_${u}` },
      ]);
      const rows = await server.admin.database.read((tx) => tx.rows(sql`SELECT id, source_system, metadata FROM user_action WHERE user_id = ${u}`));
      expect(rows).toEqual([{ id: `act_m_${u}`, source_system: 'manual', metadata: { note: 'Zoë said hi' } }]);
    });
  });

  describe.skipIf(skip)('pull', () => {
    it('pages through everything until hasMore is false, and the result equals a direct dump of the tables', async () => {
      const c = randomUUID();
      const mirror = emptyMirror();
      const done = await pullUntilDone((cursor) => pull(coord, c, cursor, 7), mirror);
      expect(done.pages).toBeGreaterThan(1);
      expect(mirrorToObject(mirror)).toEqual(mirrorToObject(await dumpTables(server.admin.database)));
    });

    it('an incremental pull brings a later change and a delete, with lastMutationId of the client', async () => {
      const c = randomUUID();
      const mirror = emptyMirror();
      const first = await pullUntilDone((cursor) => pull(coord, c, cursor), mirror);
      const u = await member();
      await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: '' } },
        { id: 2, name: 'champion.remove', args: { id: `ch_${u}` } },
      ]);
      const page = await pull(coord, c, first.cursor);
      expect(page.hasMore).toBe(false);
      expect(page.lastMutationId).toBe(2);
      const ops = page.changes.map((ch: Change) => (ch.op === 'enter' || ch.op === 'leave' ? ch.op : `${ch.table}:${ch.op}`));
      // The created-then-removed rows come only as deletes: a change is the row as it is now.
      expect(ops).toEqual(['user:upsert', 'champion_stage_change:delete', 'champion:delete']);
      applyChanges(mirror, page.changes);
      expect(mirror.champion.has(`ch_${u}`)).toBe(false);
      expect(mirrorToObject(mirror)).toEqual(mirrorToObject(await dumpTables(server.admin.database)));
      const idle = await pull(coord, c, page.cursor);
      expect(idle).toMatchObject({ hasMore: false, remaining: 0, changes: [], cursor: page.cursor });
    });

    it('reports remaining while more pages exist', async () => {
      const p = await pull(coord, randomUUID(), null, 1);
      expect(p.hasMore).toBe(true);
      expect(p.remaining).toBeGreaterThan(0);
      expect(p.changes).toHaveLength(1);
    });

    it('a malformed cursor gets 409 resync_required', async () => {
      for (const cursor of [
        'garbage',
        Buffer.from('{"v":2,"seq":"1"}').toString('base64url'),
        Buffer.from('{"v":1,"seq":"-1"}').toString('base64url'),
      ]) {
        const r = await api.post('/v1/sync/pull', { clientId: randomUUID(), cursor }, coord);
        expect(r.status).toBe(409);
        expect(r.body).toMatchObject({ error: { code: 'resync_required' } });
      }
    });

    it('a cursor older than the pruned tombstones gets resync_required; a fresh pull still works', async () => {
      const c = randomUUID();
      const start = await pullUntilDone((cursor) => pull(coord, c, cursor), emptyMirror());
      const u = await member();
      await push(coord, c, [
        { id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: null, notes: '' } },
        { id: 2, name: 'champion.remove', args: { id: `ch_${u}` } },
      ]);
      const pruned = await server.admin.pruneTombstones(0);
      expect(pruned.pruned).toBeGreaterThan(0);
      const r = await api.post('/v1/sync/pull', { clientId: c, cursor: start.cursor }, coord);
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ error: { code: 'resync_required' } });
      const mirror = emptyMirror();
      await pullUntilDone((cursor) => pull(coord, c, cursor), mirror);
      expect(mirrorToObject(mirror)).toEqual(mirrorToObject(await dumpTables(server.admin.database)));
    });

    it('rejects a limit outside 1–10000 with 400 naming limit', async () => {
      for (const limit of [0, 10_001, 2.5]) {
        const r = await api.post('/v1/sync/pull', { clientId: randomUUID(), cursor: null, limit }, coord);
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ error: { code: 'bad_request', field: 'limit' } });
      }
    });

    it('compresses responses with gzip when the request allows it', async () => {
      const r = await api.rawGzip('/v1/sync/pull', { clientId: randomUUID(), cursor: null, limit: 100 }, coord);
      expect(r.encoding).toBe('gzip');
      expect(PullResponse.parse(r.json).changes.length).toBeGreaterThan(0);
    });
  });

  describe.skipIf(skip)('ingest', () => {
    const action = (over: Record<string, unknown> = {}) => ({
      user_id: 'usr_student',
      action_type: 'viewed_module',
      target_type: 'module',
      target_id: 'mod_1',
      source_system: 'segment',
      occurred_at: T0,
      ...over,
    });

    it('inserts actions, derives the idempotency key from the source event, and a replay answers the first id', async () => {
      const ev = randomUUID();
      const r = await api.post<{ results: { index: number; status: string; id: string }[] }>(
        '/v1/ingest/actions',
        {
          actions: [action({ source_event_id: ev, metadata: { page: 'Ελένη' } }), action({ source_system: 'webhook', idempotency_key: `key-${ev}` })],
        },
        platformKey,
      );
      expect(r.status).toBe(200);
      expect(r.body.results.map((x) => x.status)).toEqual(['inserted', 'inserted']);
      const stored = await server.admin.database.read((tx) =>
        tx.rows(sql`SELECT idempotency_key, metadata FROM user_action WHERE id = ${r.body.results[0]!.id}`),
      );
      expect(stored).toEqual([{ idempotency_key: `user_action:segment:${ev}`, metadata: { page: 'Ελένη' } }]);
      // Replays: same source event (with a different explicit key), same key, and a duplicate inside one batch.
      const again = await api.post<{ results: { index: number; status: string; id: string }[] }>(
        '/v1/ingest/actions',
        {
          actions: [
            action({ source_event_id: ev, idempotency_key: 'something-else' }),
            action({ source_system: 'webhook', idempotency_key: `key-${ev}` }),
            action({ source_event_id: `${ev}-new` }),
            action({ source_event_id: `${ev}-new` }),
          ],
        },
        platformKey,
      );
      expect(again.body.results).toEqual([
        { index: 0, status: 'duplicate', id: r.body.results[0]!.id },
        { index: 1, status: 'duplicate', id: r.body.results[1]!.id },
        { index: 2, status: 'inserted', id: expect.any(String) },
        { index: 3, status: 'duplicate', id: again.body.results[2]!.id },
      ]);
      expect(await count(sql`SELECT 1 FROM user_action WHERE source_event_id LIKE ${`${ev}%`}`)).toBe(2);
    });

    it('an invalid row rejects the whole batch with 400 naming its field, inserting nothing', async () => {
      const ev = randomUUID();
      const cases: [unknown, string][] = [
        [[action({ source_event_id: ev }), action({ occurred_at: 'yesterday' })], 'actions[1].occurred_at'],
        [[action({ source_event_id: ev }), action({ source_system: 'manual' })], 'actions[1].source_system'],
        [[action({ source_event_id: ev }), action({ user_id: 'usr_nobody' })], 'actions[1].user_id'],
        [[action({ source_event_id: ev }), action({ enrollment_id: 'enr_nope' })], 'actions[1].enrollment_id'],
        [[action({ source_event_id: ev }), action({ id: 'act_mine' })], 'actions[1]'],
        [[action({ source_event_id: ev }), action({ metadata: 'text' })], 'actions[1].metadata'],
      ];
      for (const [actions, field] of cases) {
        const r = await api.post('/v1/ingest/actions', { actions }, platformKey);
        expect(r.status, JSON.stringify(r.body)).toBe(400);
        expect(r.body).toMatchObject({ error: { code: 'bad_request', field } });
      }
      expect(await count(sql`SELECT 1 FROM user_action WHERE source_event_id = ${ev}`)).toBe(0);
    });
  });

  describe.skipIf(skip)('erasure', () => {
    it('a superadmin erases a member with their actions, champion rows and history; clients receive the deletes', async () => {
      const u = await member();
      const c = randomUUID();
      await server.admin.insertRows('enrollment', [
        { id: `enr_${u}`, user_id: u, cohort_id: 'coh_a', course_name: 'EWM', status: 'active', enrolled_at: T0 },
      ]);
      await api.post(
        '/v1/ingest/actions',
        {
          actions: [
            { user_id: u, enrollment_id: `enr_${u}`, action_type: 'enrolled', source_system: 'stripe', source_event_id: `evt_${u}`, occurred_at: T0 },
          ],
        },
        platformKey,
      );
      await push(coord, c, [{ id: 1, name: 'champion.create', args: { id: `ch_${u}`, userId: u, cohortId: 'coh_a', notes: '' } }]);
      const mirror = emptyMirror();
      const before = await pullUntilDone((cursor) => pull(coord, c, cursor), mirror);
      expect(mirror.user.has(u)).toBe(true);
      expect(mirror.champion.has(`ch_${u}`)).toBe(true);

      const r = await api.del(`/v1/users/${u}`, superadmin);
      expect(r.status).toBe(204);
      await pullUntilDone((cursor) => pull(coord, c, cursor), mirror, before.cursor);
      expect(mirror.user.has(u)).toBe(false);
      expect([...mirror.user_action.values()].some((a) => (a as { user_id: string }).user_id === u)).toBe(false);
      expect(mirror.champion.has(`ch_${u}`)).toBe(false);
      expect(mirror.enrollment.has(`enr_${u}`)).toBe(false);
      expect([...mirror.champion_stage_change.values()].some((h) => (h as { champion_id: string }).champion_id === `ch_${u}`)).toBe(false);
      expect(mirrorToObject(mirror)).toEqual(mirrorToObject(await dumpTables(server.admin.database)));
    });

    it('erasing an unknown member is 404; a malformed id is 400', async () => {
      expect((await api.del('/v1/users/usr_nobody_here', superadmin)).body).toMatchObject({ error: { code: 'not_found' } });
      const bad = await api.del('/v1/users/%20bad%20id', superadmin);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ error: { code: 'bad_request', field: 'id' } });
    });
  });

  describe.skipIf(skip)('bad requests', () => {
    it('a body over 5 MiB gets 413 too_large and changes nothing', async () => {
      const c = randomUUID();
      const big = JSON.stringify({
        clientId: c,
        mutations: [{ id: 1, name: 'champion.setNotes', args: { id: 'x', notes: 'a'.repeat(5.5 * 1024 * 1024), baseNotes: '' } }],
      });
      const r = await api.call('POST', '/v1/sync/push', { raw: big, token: coord });
      expect(r.status).toBe(413);
      expect(r.body).toMatchObject({ error: { code: 'too_large' } });
      expect(await count(sql`SELECT 1 FROM sync_client WHERE client_id = ${c}`)).toBe(0);
    });

    it('malformed JSON and a wrong content type are 400 bad_request without a stack trace', async () => {
      const a = await api.call('POST', '/v1/sync/push', { raw: '{"clientId": ', token: coord });
      expect(a.status).toBe(400);
      expect(a.body).toEqual({ error: { code: 'bad_request', message: expect.any(String), field: 'body' } });
      const b = await api.call('POST', '/v1/auth/login', { raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(b.status).toBe(400);
      expect(JSON.stringify([a.body, b.body])).not.toMatch(/at .*\.(ts|js):\d+|node_modules|SELECT|INSERT/);
    });

    it('an empty application/json body is "no body": logout still works, push says the body is missing', async () => {
      const t = await login('coord2@test.local');
      const json = { 'content-type': 'application/json' };
      expect((await api.call('POST', '/v1/auth/logout', { token: t, headers: json, raw: '' })).status).toBe(204);
      const r = await api.call('POST', '/v1/sync/push', { token: coord, headers: json, raw: '' });
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'bad_request', field: 'body' } });
    });

    it('an unknown route is 404 not_found in the error format', async () => {
      const r = await api.get('/v1/nope');
      expect(r.status).toBe(404);
      expect(r.body).toMatchObject({ error: { code: 'not_found' } });
    });
  });
});
