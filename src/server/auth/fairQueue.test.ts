import { describe, expect, it } from 'vitest';
import { FairQueue, QueueFullError } from './fairQueue.js';
import { createPasswordHasher, TEST_PASSWORD_COST } from './passwords.js';

// The hashing queue's guarantees, checked by order of events rather than by time (latency
// under load is measured by bench/loginUnderLoad.ts, not asserted here).

/** A job that runs until released, recording when it started. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { job: () => (log.push(name), done.then(() => name)), release };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('FairQueue', () => {
  it('never runs more jobs at once than its concurrency', async () => {
    const q = new FairQueue({ concurrency: 2, maxWaitingPerKey: 100, maxWaiting: 1000 });
    let running = 0;
    let most = 0;
    const job = async () => {
      running++;
      most = Math.max(most, running);
      await tick();
      running--;
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => q.run(`k${i % 3}`, job)));
    expect(most).toBe(2);
  });

  it('thirty waiting jobs from one key delay another key by the jobs already running, not by all thirty', async () => {
    const q = new FairQueue({ concurrency: 1, maxWaitingPerKey: 100, maxWaiting: 1000 });
    const log: string[] = [];
    const junk = Array.from({ length: 30 }, (_, i) => gate(log, `junk${i}`));
    const runs = junk.map((g) => q.run('stranger', g.job));
    const real = gate(log, 'real');
    const realRun = q.run('owner', real.job);
    real.release();
    // Release the junk one by one; the owner's job runs right after the first.
    for (const g of junk) {
      g.release();
      await tick();
      await tick();
    }
    await Promise.all([...runs, realRun]);
    expect(log.indexOf('real')).toBe(1);
  });

  it('takes turns between keys (round robin), each key first in, first out', async () => {
    const q = new FairQueue({ concurrency: 1, maxWaitingPerKey: 100, maxWaiting: 1000 });
    const log: string[] = [];
    const first = gate(log, 'first');
    const all = [q.run('x', first.job)];
    for (const name of ['a1', 'a2', 'a3', 'b1', 'b2', 'c1']) {
      const g = gate(log, name);
      g.release();
      all.push(q.run(name[0]!, g.job));
    }
    first.release();
    await Promise.all(all);
    expect(log).toEqual(['first', 'a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
  });

  it('refuses at once (QueueFullError with a retry time) a key with too many jobs waiting, and nobody else', async () => {
    const q = new FairQueue({ concurrency: 1, maxWaitingPerKey: 3, maxWaiting: 1000 });
    const log: string[] = [];
    const blocker = gate(log, 'blocker');
    const runs = [q.run('k', blocker.job)];
    const waiting = [gate(log, 'w1'), gate(log, 'w2'), gate(log, 'w3')];
    for (const g of waiting) runs.push(q.run('k', g.job));
    const refused = q.run('k', async () => 'never');
    await expect(refused).rejects.toBeInstanceOf(QueueFullError);
    await expect(refused.catch((e: QueueFullError) => e.retryAfterSeconds)).resolves.toBeGreaterThan(0);
    const other = gate(log, 'other');
    runs.push(q.run('someone-else', other.job));
    for (const g of [blocker, ...waiting, other]) g.release();
    await Promise.all(runs);
    expect(log).not.toContain('never');
    expect(log).toContain('other');
  });

  it('a job that fails frees its slot for the next', async () => {
    const q = new FairQueue({ concurrency: 1, maxWaitingPerKey: 10, maxWaiting: 10 });
    const failing = q.run('k', async () => {
      throw new Error('boom');
    });
    const next = q.run('k', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });
});

describe('password hasher queue', () => {
  it('a check for an unknown email waits in the same queue, behind the same running hash, as a check for a real one', async () => {
    const queue = new FairQueue({ concurrency: 1, maxWaitingPerKey: 16, maxWaiting: 1000 });
    const hasher = createPasswordHasher({ cost: TEST_PASSWORD_COST, queue });
    const stored = await hasher.hash('pw');
    const log: string[] = [];
    const busy = gate(log, 'busy');
    const holding = queue.run('elsewhere', busy.job);
    const unknown = hasher.verify('pw', null, 'a').then((v) => (log.push('unknown'), v));
    const known = hasher.verify('pw', stored, 'b').then((v) => (log.push('known'), v));
    for (let i = 0; i < 20; i++) await tick();
    expect(log).toEqual(['busy']);
    busy.release();
    const [u, k] = await Promise.all([unknown, known, holding]);
    expect(u).toEqual({ ok: false, rehash: false });
    expect(k).toEqual({ ok: true, rehash: false });
    expect(log.slice(1).sort()).toEqual(['known', 'unknown']);
  });
});
