import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SyncStatus } from '../../shared/ipc.js';
import { Reachability } from './reachability.js';

// The online/offline rule, with a scripted health probe and fake timers.

const status = (over: Partial<SyncStatus>): SyncStatus => ({
  phase: 'idle',
  online: true,
  pending: 0,
  conflicts: 0,
  lastSyncedAt: null,
  error: null,
  nextRetryAt: null,
  progress: null,
  ...over,
});

function setup(opts: { enabled?: boolean; answers?: boolean[] } = {}) {
  const applied: boolean[] = [];
  const probes: number[] = [];
  const answers = [...(opts.answers ?? [])];
  const r = new Reachability({
    probe: async () => {
      probes.push(Date.now());
      return answers.shift() ?? true;
    },
    apply: (online) => applied.push(online),
    enabled: () => opts.enabled ?? true,
    firstRetryMs: 1000,
    maxRetryMs: 4000,
    healthyIntervalMs: 30_000,
  });
  return { r, applied, probes };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Reachability', () => {
  it('is online at start and follows the host’s network reports', () => {
    const { r, applied } = setup();
    r.start();
    r.setHostOnline(false);
    r.setHostOnline(true);
    expect(applied).toEqual([true, false, true]);
    r.close();
  });

  it('a network failure seen by the engine while online means the server is unreachable: offline, then probes with backoff until it answers', async () => {
    const { r, applied, probes } = setup({ answers: [false, false, false, false, true] });
    r.start();
    r.observe(status({ phase: 'offline', online: true }));
    expect(applied).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(1000 + 1000 + 2000 + 4000 + 4000);
    expect(probes).toEqual([1000, 2000, 4000, 8000, 12000]);
    expect(applied).toEqual([true, false, true]);
    expect(r.online).toBe(true);
    r.close();
  });

  it('ignores the engine’s offline status when the host itself said offline', () => {
    const { r, applied } = setup();
    r.start();
    r.setHostOnline(false);
    r.observe(status({ phase: 'offline', online: false }));
    expect(applied).toEqual([true, false]);
    r.close();
  });

  it('while healthy, probes slowly and goes offline when the server stops answering', async () => {
    const { r, applied, probes } = setup({ answers: [true, false] });
    r.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(probes).toEqual([30_000, 60_000]);
    expect(applied).toEqual([true, false]);
    r.close();
  });

  it('does not probe when there is nobody signed in, and stays online', async () => {
    const { r, applied, probes } = setup({ enabled: false });
    r.start();
    r.observe(status({ phase: 'offline', online: true }));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(probes).toEqual([]);
    expect(applied.at(-1)).toBe(true);
    r.close();
  });

  it('stops probing once closed', async () => {
    const { r, probes } = setup();
    r.start();
    r.close();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(probes).toEqual([]);
  });
});

describe('Reachability with a held connection', () => {
  function watched(answers: boolean[]) {
    const applied: boolean[] = [];
    const probes: number[] = [];
    const drops: Array<() => void> = [];
    let opened = 0;
    const r = new Reachability({
      probe: async () => {
        probes.push(Date.now());
        return answers.shift() ?? true;
      },
      apply: (online) => applied.push(online),
      enabled: () => true,
      firstRetryMs: 1000,
      maxRetryMs: 4000,
      healthyIntervalMs: 30_000,
      minWatchIntervalMs: 3000,
      watch: (onDrop) => {
        opened++;
        drops.push(onDrop);
        return () => undefined;
      },
    });
    return { r, applied, probes, drops, opened: () => opened };
  }

  it('holds a connection while healthy, and its closing is probed at once: a stopped server is offline in a moment, not at the next slow probe', async () => {
    const { r, applied, probes, drops, opened } = watched([true, false]);
    r.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(opened()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    drops.at(-1)!();
    await vi.advanceTimersByTimeAsync(10);
    expect(probes).toEqual([0, 5010]);
    expect(applied).toEqual([true, false]);
    // Offline: no connection is held while the server cannot be reached.
    expect(opened()).toBe(1);
    r.close();
  });

  it('re-opens a dropped connection no more often than the minimum interval, even when the server closes it at once', async () => {
    const { r, drops, opened } = watched([]);
    r.start();
    await vi.advanceTimersByTimeAsync(10);
    for (let i = 0; i < 5; i++) {
      drops.at(-1)!();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(opened()).toBe(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(opened()).toBe(2);
    r.close();
  });
});
