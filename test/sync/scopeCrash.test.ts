import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/db/open.js';
import { bundleCli, runCli, type CliBundle } from './cliProcess.js';
import { clientDir, localDump, seedWorld, sleep, startTestServer, type TestServer, type World } from './harness.js';
import { scopedView } from './scopeView.js';

// Scoped sync killed with SIGKILL during move-ins (issue 13): a CLI process syncing a scoped
// coordinator is killed at random instants while members enter its scope (the scope widened,
// enrollments moved into it) and leave it again, the first sync's expansion included. One clean
// sync afterwards must leave the laptop equal to its scoped view computed from the server.

const KILLS = Number(process.env.AFH_SCOPE_CRASH_KILLS ?? 8);
const seed = Number(process.env.AFH_SCOPE_CRASH_SEED ?? 13);
const K = { id: 'usr_k_crash', email: 'crash@scope.test', password: 'pw-crash-coordinator' };

let s: TestServer;
let world: World;
let cli: CliBundle;
let dir: ReturnType<typeof clientDir>;

beforeAll(async () => {
  [s, cli] = await Promise.all([startTestServer(), bundleCli()]);
  world = await seedWorld(s, { members: 48, cohorts: 6, champions: 20, actions: 6000 });
  await s.server.admin.createUser({ ...K, name: 'Crash', roles: ['admin'] });
  await s.server.admin.setScope(K.id, { all: false, cohortIds: [world.cohorts[0]!] });
  dir = clientDir();
});
afterAll(async () => {
  cli?.dispose();
  dir?.dispose();
  await s?.close();
});

function rng(seed0: number): () => number {
  let a = seed0 >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

describe(`scoped sync killed with SIGKILL during move-ins (${KILLS} kills, seed ${seed})`, () => {
  it('ends equal to its scoped view after one clean sync', async () => {
    const random = rng(seed);
    const db = `${dir.dir}/local.sqlite`;
    const env = { AFH_EMAIL: K.email, AFH_PASSWORD: K.password };
    expect((await runCli(cli, ['login', '--db', db, '--server', s.url], env).exit).code).toBe(0);
    let killed = 0;
    let midPull = 0;
    // A kill that left a pull part way (pages applied, more to come): where move-ins land.
    const pullLeftPartWay = () => {
      const app = openDatabase(db);
      try {
        return (app.sqlite.prepare('SELECT pull_in_progress AS p FROM sync_state').get() as { p: number } | undefined)?.p === 1;
      } finally {
        app.close();
      }
    };
    // Kill windows follow this machine's speed (a fixed delay stops landing inside syncs once
    // they get faster, or lands before the pull under load): one unkilled run of each kind first.
    const timedRun = async (file: string): Promise<number> => {
      const run = runCli(cli, ['sync', '--db', file, '--pull-limit', '12'], env);
      await run.waitForStderr('Syncing with');
      const t0 = Date.now();
      expect((await run.exit).code).toBe(0);
      return Math.max(50, Date.now() - t0);
    };
    const scratch = `${dir.dir}/calibration.sqlite`;
    expect((await runCli(cli, ['login', '--db', scratch, '--server', s.url], env).exit).code).toBe(0);
    const firstWindow = await timedRun(scratch);
    // The first sync is an expansion: kill it part way, twice, before letting one finish.
    for (let k = 0; k < 2; k++) {
      const run = runCli(cli, ['sync', '--db', db, '--pull-limit', '12'], env);
      await run.waitForStderr('Syncing with');
      await sleep(Math.floor(firstWindow * (0.3 + random() * 0.5)));
      run.child.kill('SIGKILL');
      if ((await run.exit).signal === 'SIGKILL') {
        killed++;
        if (pullLeftPartWay()) midPull++;
      }
    }
    expect((await runCli(cli, ['sync', '--db', db], env).exit).code).toBe(0);

    let window = 0;
    for (let round = -1; round < KILLS; round++) {
      // Members come and go: the scope changes (widen mostly), enrollments move, upstream activity arrives.
      const cohorts = world.cohorts.filter(() => random() < 0.5);
      await s.server.admin.setScope(K.id, { all: false, cohortIds: cohorts.length > 0 ? cohorts : [world.cohorts[round % 6]!] });
      await s.server.admin.database.write(async (tx) => {
        for (let i = 0; i < 4; i++) {
          const e = world.enrollments[Math.floor(random() * world.enrollments.length)]!;
          await tx.rows(sql`UPDATE enrollment SET cohort_id = ${world.cohorts[Math.floor(random() * 6)]!} WHERE id = ${e.id}`);
        }
        await tx.rows(sql`INSERT INTO user_action (id, user_id, action_type, metadata, source_system, source_event_id, idempotency_key, occurred_at)
          SELECT 'act_sc${sql.raw(String(round + 1))}_' || i, 'usr_m' || lpad((i % 48)::text, 4, '0'), 'viewed_module', '{}'::jsonb, 'segment',
                 'evt_sc${sql.raw(String(round + 1))}_' || i, 'user_action:segment:evt_sc${sql.raw(String(round + 1))}_' || i, now()
          FROM generate_series(1, 200) AS i`);
      });
      if (round < 0) {
        window = await timedRun(db); // the calibration round: one such sync, unkilled
        continue;
      }
      const run = runCli(cli, ['sync', '--db', db, '--pull-limit', '12'], env);
      await run.waitForStderr('Syncing with');
      await sleep(Math.floor(window * random() * 0.9));
      run.child.kill('SIGKILL');
      if ((await run.exit).signal === 'SIGKILL') {
        killed++;
        if (pullLeftPartWay()) midPull++;
      }
    }

    const final = runCli(cli, ['sync', '--db', db, '--json'], env);
    expect((await final.exit).code).toBe(0);
    expect(JSON.parse(final.stdout())).toMatchObject({ ok: true, pending: 0 });
    expect(killed).toBeGreaterThanOrEqual(Math.floor((KILLS + 2) / 2));
    expect(midPull).toBeGreaterThan(0);
    console.info(`scope crash test: ${killed} kills, ${midPull} left a pull part way`);
    const app = openDatabase(db);
    try {
      expect(localDump(app)).toEqual(await scopedView(s, K.id));
      // Member search indexes exactly the members on the laptop (one docsize row per indexed member).
      const indexed = (app.sqlite.prepare('SELECT count(*) AS n FROM user_fts_docsize').get() as { n: number }).n;
      const held = (app.sqlite.prepare('SELECT count(*) AS n FROM "user"').get() as { n: number }).n;
      expect(indexed).toBe(held);
    } finally {
      app.close();
    }
  }, 240_000);
});
