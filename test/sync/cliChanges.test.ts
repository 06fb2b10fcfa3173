import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, main } from '../../src/main/cli/main.js';
import { championOn, clientDir, COORDINATOR, seedWorld, serverDump, startTestServer, type TestServer, type World } from './harness.js';

// Issue 11: an outside check repeats the sync findings with `npm run cli` alone. Every change a
// coordinator can make offline, the pending list, the conflicts and their resolution, without
// a window; every flag checked, with an error that names it.

let s: TestServer;
let world: World;
let dir: ReturnType<typeof clientDir>;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 12, cohorts: 2, champions: 6, actions: 20 });
  dir = clientDir();
});
afterAll(async () => {
  dir?.dispose();
  await s?.close();
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = { AFH_EMAIL: process.env.AFH_EMAIL, AFH_PASSWORD: process.env.AFH_PASSWORD };
  process.env.AFH_EMAIL = COORDINATOR.email;
  process.env.AFH_PASSWORD = COORDINATOR.password;
  try {
    const code = await main(args, { out: (x) => (out += x), err: (x) => (err += x) });
    return { code, out, err };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
const json = <T>(r: { out: string }): T => JSON.parse(r.out) as T;

describe('the CLI drives every change a coordinator makes offline', () => {
  it('makes each kind of change offline, lists it as pending, and a sync sends them all', async () => {
    const db = join(dir.dir, 'changes.sqlite');
    expect((await cli(['sync', '--db', db, '--server', s.url])).code).toBe(EXIT.ok);
    const member = world.members[10]!;
    const created = await cli(['champion', 'create', '--db', db, '--member', member, '--global', '--notes', 'from the shell', '--json']);
    expect(created.code).toBe(EXIT.ok);
    const { id } = json<{ ok: boolean; id: string }>(created);
    expect((await cli(['champion', 'move', '--db', db, '--id', id, '--to', 'selected', '--reason', 'ran a session'])).code).toBe(EXIT.ok);
    expect((await cli(['champion', 'notes', '--db', db, '--id', id, '--notes', 'notes from the shell'])).code).toBe(EXIT.ok);
    expect((await cli(['champion', 'cohort', '--db', db, '--id', id, '--cohort', world.cohorts[1]!])).code).toBe(EXIT.ok);
    const temp = json<{ id: string }>(
      await cli(['champion', 'create', '--db', db, '--member', world.members[11]!, '--cohort', world.cohorts[0]!, '--json']),
    );
    expect((await cli(['champion', 'remove', '--db', db, '--id', temp.id])).code).toBe(EXIT.ok);
    const action = await cli([
      'action',
      'record',
      '--db',
      db,
      '--member',
      member,
      '--type',
      'posted_reply',
      '--target-type',
      'post',
      '--target-id',
      'pst_1',
      '--metadata',
      '{"words":12}',
      '--at',
      '2026-03-01T09:00:00Z',
    ]);
    expect(action.code).toBe(EXIT.ok);

    const pending = json<{ pending: { name: string }[] }>(await cli(['pending', '--db', db, '--json']));
    expect(pending.pending.map((p) => p.name)).toEqual([
      'champion.create',
      'champion.move',
      'champion.setNotes',
      'champion.setCohort',
      'champion.create',
      'champion.remove',
      'action.record',
    ]);
    const synced = await cli(['sync', '--db', db, '--json']);
    expect(synced.code).toBe(EXIT.ok);
    expect(json<{ pending: number; conflicts: number }>(synced)).toMatchObject({ pending: 0, conflicts: 0 });
    const server = await serverDump(s);
    expect(championOn(server, id)).toMatchObject({ stage: 'selected', notes: 'notes from the shell', cohort_id: world.cohorts[1] });
    expect(championOn(server, temp.id)).toBeUndefined();
    expect(server.user_action.some((r) => (r as { target_id: string }).target_id === 'pst_1')).toBe(true);
    const rows = json<{ champions: { id: string; stage: string }[] }>(await cli(['champions', '--db', db, '--member', member, '--json']));
    expect(rows.champions).toEqual([expect.objectContaining({ id, stage: 'selected' })]);
  });

  it('lists a refused change as a conflict naming the member, and resolves it from the shell', async () => {
    const mine = join(dir.dir, 'mine.sqlite');
    const theirs = join(dir.dir, 'theirs.sqlite');
    await cli(['sync', '--db', mine, '--server', s.url]);
    await cli(['sync', '--db', theirs, '--server', s.url]);
    const id = world.champions[2]!;
    expect((await cli(['champion', 'notes', '--db', theirs, '--id', id, '--notes', 'theirs, first'])).code).toBe(EXIT.ok);
    expect((await cli(['sync', '--db', theirs])).code).toBe(EXIT.ok);
    expect((await cli(['champion', 'notes', '--db', mine, '--id', id, '--notes', 'mine, offline'])).code).toBe(EXIT.ok);
    expect((await cli(['sync', '--db', mine])).code).toBe(EXIT.conflicts);

    const listed = json<{
      conflicts: { id: number; code: string; member: { name: string } | null; retry: { possible: boolean }; args: { notes: string } }[];
    }>(await cli(['conflicts', '--db', mine, '--json']));
    expect(listed.conflicts).toHaveLength(1);
    const [c] = listed.conflicts;
    expect(c).toMatchObject({ code: 'stale', member: { name: 'Member 2' }, retry: { possible: true }, args: { notes: 'mine, offline' } });
    const text = await cli(['conflicts', '--db', mine]);
    expect(text.out).toContain('Member 2');

    expect((await cli(['resolve', '--db', mine, '--conflict', String(c!.id), '--resolution', 'retry-mine'])).code).toBe(EXIT.ok);
    expect((await cli(['sync', '--db', mine])).code).toBe(EXIT.ok);
    expect(championOn(await serverDump(s), id)!.notes).toBe('mine, offline');
    expect(json<{ conflicts: unknown[] }>(await cli(['conflicts', '--db', mine, '--json'])).conflicts).toEqual([]);
    // A conflict that is not open any more is refused with code 5, nothing changed.
    const again = await cli(['resolve', '--db', mine, '--conflict', String(c!.id), '--resolution', 'keep-server']);
    expect(again.code).toBe(EXIT.refused);
    expect(again.err).toMatch(/--conflict: no open conflict/);
  });

  it('refuses a change this laptop’s data does not allow with code 5 and queues nothing', async () => {
    const db = join(dir.dir, 'refused.sqlite');
    await cli(['sync', '--db', db, '--server', s.url]);
    const skip = await cli(['champion', 'move', '--db', db, '--id', world.champions[3]!, '--to', 'champion']);
    expect(skip.code).toBe(EXIT.refused);
    expect(skip.err).toMatch(/^--to: /);
    expect((await cli(['champion', 'notes', '--db', db, '--id', 'ch_nobody', '--notes', 'x'])).code).toBe(EXIT.refused);
    expect(json<{ pending: unknown[] }>(await cli(['pending', '--db', db, '--json'])).pending).toEqual([]);
  });

  it('checks every new flag and names it in the error (code 2), changing nothing', async () => {
    const db = join(dir.dir, 'flags.sqlite');
    await cli(['sync', '--db', db, '--server', s.url]);
    const id = world.champions[4]!;
    const cases: [string[], RegExp][] = [
      [['champion', 'move', '--id', id, '--to', 'flying'], /^--to: must be one of/],
      [['champion', 'move', '--id', id], /--to is required/],
      [['champion', 'move', '--id', 'bad id!', '--to', 'selected'], /^--id: /],
      [['champion', 'move', '--id', id, '--to', 'selected', '--notes', 'x'], /--notes does not apply to "champion move"/],
      [['champion', 'create', '--member', world.members[9]!], /needs --cohort <id>, or --global/],
      [
        ['champion', 'create', '--member', world.members[9]!, '--cohort', world.cohorts[0]!, '--global'],
        /--cohort and --global cannot both be given/,
      ],
      [['champion', 'notes', '--id', id, '--notes', 'x'.repeat(20_001)], /^--notes: /],
      [['champion', 'cohort', '--id', id], /needs --cohort <id>, or --global/],
      [['champion', 'explode', '--id', id], /unknown command "champion explode"/],
      [['action', 'record', '--member', world.members[1]!, '--type', 'danced'], /^--type: must be one of/],
      [['action', 'record', '--member', world.members[1]!, '--type', 'enrolled', '--metadata', '[1,2]'], /--metadata must be a JSON object/],
      [['action', 'record', '--member', world.members[1]!, '--type', 'enrolled', '--metadata', '{oops'], /--metadata must be a JSON object/],
      [['action', 'record', '--member', world.members[1]!, '--type', 'enrolled', '--at', 'yesterday'], /^--at: must be a UTC time/],
      [['action', 'record', '--member', world.members[1]!, '--type', 'enrolled', '--target-type', 'planet'], /^--target-type: must be one of/],
      [['resolve', '--conflict', 'one', '--resolution', 'keep-server'], /--conflict must be the number of an open conflict/],
      [['resolve', '--conflict', '1', '--resolution', 'maybe'], /^--resolution: must be one of/],
      [['sync', '--to', 'selected'], /--to does not apply to "sync"/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(EXIT.usage);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(json<{ pending: unknown[] }>(await cli(['pending', '--db', db, '--json'])).pending).toEqual([]);
    const help = await cli(['--help']);
    expect(help.out).toMatch(/5 {2}the change cannot be made/);
    expect(help.out).toMatch(/champion move/);
  });
});
