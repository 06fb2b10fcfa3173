/**
 * Exponential backoff with full jitter: 1 s, 2 s, 4 s … capped at 60 s, each a random point
 * below the cap, so many laptops coming back online at once do not retry in lockstep.
 */
export function backoffDelayMs(failures: number, opts: { baseMs?: number; capMs?: number; random?: () => number } = {}): number {
  const base = opts.baseMs ?? 1000;
  const cap = opts.capMs ?? 60_000;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, failures - 1));
  const r = (opts.random ?? Math.random)();
  // Never less than half the ceiling: a retry storm on a fast-failing server helps nobody.
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}
