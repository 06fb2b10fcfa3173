import { join } from 'node:path';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { STAGES, ACTION_TYPES } from '../../src/shared/enums.js';
import { LocalMutationError } from '../../src/main/sync/localMutations.js';
import {
  clientDir,
  leftovers,
  localDump,
  newClient,
  seedWorld,
  serverDump,
  startTestServer,
  type TestClient,
  type TestServer,
  type World,
} from './harness.js';

// Issue 11: random interleavings of two laptops' offline edits (every mutation kind), lost push
// and pull answers, laptops closed and reopened, the server restarted, and conflicts resolved
// either way. After each run, once both laptops have synced with nothing in the way:
// - both laptops' six tables equal the server's;
// - every change a coordinator made is accounted for: applied on the server (an answer the laptop
//   heard) or a conflict record; none vanished;
// - the outbox is empty (a change waiting behind a refusal is a conflict, not an outbox row) and
//   no optimistic row is left; nothing is stuck.
//
// AFH_PROPERTY_RUNS (default 12) and AFH_PROPERTY_SEED replay or lengthen a run; a failure prints
// the seed and the plan that broke.

const RUNS = Number(process.env.AFH_PROPERTY_RUNS ?? 12);
const SEED = process.env.AFH_PROPERTY_SEED === undefined ? undefined : Number(process.env.AFH_PROPERTY_SEED);

type Who = 0 | 1;
type EditKind = 'move' | 'notes' | 'cohort' | 'create' | 'remove' | 'action';
type Step =
  /** One to three edits in a row by one laptop, mostly on the same card: where changes depend on each other. */
  | { t: 'edit'; who: Who; kinds: EditKind[]; a: number; b: number }
  | { t: 'sync'; who: Who }
  | { t: 'lose'; who: Who; what: 'push' | 'pull' }
  | { t: 'restartLaptop'; who: Who }
  | { t: 'restartServer' }
  | { t: 'resolve'; who: Who; choice: 'keep-server' | 'retry-mine' };

const who = fc.constantFrom<Who>(0, 1);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      t: fc.constant('edit' as const),
      who,
      kinds: fc.array(fc.constantFrom<EditKind>('move', 'move', 'notes', 'notes', 'cohort', 'create', 'remove', 'action'), {
        minLength: 1,
        maxLength: 3,
      }),
      a: fc.nat(99),
      b: fc.nat(99),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('sync' as const), who }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('lose' as const), who, what: fc.constantFrom<'push' | 'pull'>('push', 'pull') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restartLaptop' as const), who }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('resolve' as const),
      who,
      choice: fc.constantFrom<'keep-server' | 'retry-mine'>('keep-server', 'retry-mine'),
    }),
  },
);
// A server restart costs ~1 s, so at most one a run, somewhere in it.
const plan = fc.tuple(fc.array(step, { minLength: 4, maxLength: 14 }), fc.option(fc.nat(13), { freq: 4 })).map(([steps, restartAt]) => {
  const out: Step[] = [...steps];
  if (restartAt !== null) out.splice(Math.min(restartAt, out.length), 0, { t: 'restartServer' });
  return out;
});

let s: TestServer;
let world: World;

beforeAll(async () => {
  s = await startTestServer();
  world = await seedWorld(s, { members: 8, cohorts: 2, champions: 4, actions: 30 });
});
afterAll(async () => {
  await s?.close();
});

/** One laptop across reopenings: its file, what it asked for, and which answers it heard. */
class Laptop {
  client!: TestClient;
  /** Changes the coordinator made (outbox rows ever written, counted by a trigger). */
  intentsBefore = 0;
  /** `clientId:mutationId` of every mutation an answer said was applied. */
  readonly applied = new Set<string>();
  private loseNext: 'push' | 'pull' | null = null;

  constructor(readonly file: string) {}

  async open(): Promise<void> {
    this.client = await newClient(s.url, { file: this.file, fetch: this.fetch, requestTimeoutMs: 10_000 });
    // Counts every change made, across renumbering (an UPDATE) and holding (a DELETE).
    this.client.app.sqlite.exec(`CREATE TEMP TABLE IF NOT EXISTS intents (n INTEGER NOT NULL);
      INSERT INTO intents SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM intents);
      CREATE TEMP TRIGGER IF NOT EXISTS count_intents AFTER INSERT ON main.outbox BEGIN UPDATE intents SET n = n + 1; END;`);
  }

  intents(): number {
    return this.intentsBefore + (this.client.app.sqlite.prepare('SELECT n FROM temp.intents').pluck().get() as number);
  }

  async reopen(): Promise<void> {
    this.intentsBefore = this.intents();
    await this.client.close();
    await this.open();
  }

  lose(what: 'push' | 'pull'): void {
    this.loseNext = what;
  }

  private readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const res = await fetch(input, init);
    if (this.loseNext && url.pathname === `/v1/sync/${this.loseNext}`) {
      this.loseNext = null;
      await res.arrayBuffer();
      throw new TypeError('fetch failed: socket hang up');
    }
    if (url.pathname === '/v1/sync/push' && res.ok) {
      const { clientId } = JSON.parse(String(init?.body)) as { clientId: string };
      const body = (await res.clone().json()) as { results: { id: number; status: string }[] };
      for (const r of body.results) if (r.status === 'applied') this.applied.add(`${clientId}:${r.id}`);
    }
    return res;
  };
}

function edit(l: Laptop, kind: EditKind, a: number, b: number): void {
  const { local, app } = l.client;
  // The three oldest cards, mostly: two laptops on a few cards is where conflicts come from.
  const champions = app.sqlite.prepare('SELECT id, stage FROM champion ORDER BY id LIMIT 3').all() as {
    id: string;
    stage: (typeof STAGES)[number];
  }[];
  const cohortOf = (n: number) => (n % 3 === 2 ? null : world.cohorts[n % 2]!);
  try {
    switch (kind) {
      case 'move': {
        const c = champions[a % Math.max(1, champions.length)];
        if (!c) return;
        const i = STAGES.indexOf(c.stage);
        const forward = b % 2 === 0 ? i + 1 : i - 1;
        const to = STAGES[forward < 0 || forward >= STAGES.length ? (forward < 0 ? i + 1 : i - 1) : forward]!;
        local.moveChampion({ id: c.id, to, reason: `move ${a}/${b}` });
        return;
      }
      case 'notes': {
        const c = champions[a % Math.max(1, champions.length)];
        if (c) local.setNotes({ id: c.id, notes: `notes ${a}/${b}` });
        return;
      }
      case 'cohort': {
        const c = champions[a % Math.max(1, champions.length)];
        if (c) local.setCohort({ id: c.id, cohortId: cohortOf(b) });
        return;
      }
      case 'create':
        local.createChampion({ userId: world.members[a % world.members.length]!, cohortId: cohortOf(b), notes: `created ${a}/${b}` });
        return;
      case 'remove': {
        const candidates = champions.filter((c) => c.stage === 'candidate');
        const c = candidates[a % Math.max(1, candidates.length)];
        if (c) local.removeChampion({ id: c.id });
        return;
      }
      case 'action':
        local.recordAction({
          userId: world.members[a % world.members.length]!,
          enrollmentId: null,
          actionType: ACTION_TYPES[b % ACTION_TYPES.length]!,
          targetType: null,
          targetId: null,
          metadata: { a, b },
          occurredAt: new Date(Date.now() - 60_000).toISOString(),
        });
        return;
    }
  } catch (e) {
    // The app refuses it before it is made (a stage jump, a second card for a member): no change to account for.
    if (!(e instanceof LocalMutationError)) throw e;
  }
}

function resolveFirst(l: Laptop, choice: 'keep-server' | 'retry-mine'): void {
  const open = l.client.local.listConflicts().conflicts.filter((c) => c.blockedBy === null);
  const c = open[0];
  if (!c) return;
  const resolution = choice === 'retry-mine' && c.retry.possible ? 'retry-mine' : 'keep-server';
  l.client.local.resolveConflict({ id: c.id, resolution });
}

async function run(steps: Step[]): Promise<void> {
  const dir = clientDir();
  const laptops = [new Laptop(join(dir.dir, 'a.sqlite')), new Laptop(join(dir.dir, 'b.sqlite'))] as const;
  try {
    for (const l of laptops) {
      await l.open();
      expect((await l.client.engine.syncNow()).phase).toBe('idle');
    }
    for (const st of steps) {
      switch (st.t) {
        case 'edit':
          st.kinds.forEach((kind, i) => edit(laptops[st.who], kind, st.a, st.b + i));
          break;
        case 'sync':
          await laptops[st.who].client.engine.syncNow();
          break;
        case 'lose':
          laptops[st.who].lose(st.what);
          await laptops[st.who].client.engine.syncNow();
          break;
        case 'restartLaptop':
          await laptops[st.who].reopen();
          break;
        case 'restartServer':
          await s.restart();
          break;
        case 'resolve':
          resolveFirst(laptops[st.who], st.choice);
          break;
      }
    }
    // Quiesce: no faults, sync until both laptops have nothing to send and each has seen the other's last changes.
    let quiet = false;
    for (let round = 0; round < 6 && !quiet; round++) {
      const [a, b] = [await laptops[0].client.engine.syncNow(), await laptops[1].client.engine.syncNow()];
      const a2 = await laptops[0].client.engine.syncNow();
      quiet = [a, b, a2].every((x) => x.phase === 'idle') && a2.pending === 0 && b.pending === 0;
    }
    expect(quiet, 'both laptops reach idle with nothing pending').toBe(true);

    const server = await serverDump(s);
    for (const l of laptops) {
      expect(localDump(l.client.app)).toEqual(server);
      expect(leftovers(l.client.app)).toEqual({ outbox: 0, optimistic: 0 });
      const conflicts = l.client.app.sqlite.prepare('SELECT count(*) FROM conflict').pluck().get() as number;
      // Every change made is either applied (an answer said so) or a conflict record: none vanished.
      expect(l.applied.size + conflicts, 'changes made = applied + conflicts').toBe(l.intents());
      // Open conflicts are what the screen lists (none hidden), and the status counts them all.
      expect(l.client.engine.status().conflicts).toBe(l.client.local.listConflicts().conflicts.length);
    }
  } finally {
    for (const l of laptops) await l.client?.close();
    dir.dispose();
  }
}

describe(`two laptops, random interleavings (${RUNS} runs${SEED === undefined ? '' : `, seed ${SEED}`})`, () => {
  it.prop([plan], { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: process.env.AFH_PROPERTY_SHRINK !== '1' })(
    'end equal to the server, with every change applied or a visible conflict, and nothing stuck',
    async (steps) => {
      await run(steps);
    },
    // A run takes ~3 s here (more while the machine is busy); longer runs get the time they need.
    Math.max(180_000, RUNS * 20_000),
  );
});
