import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoff after failures', () => {
  it('doubles from one second, stays within [ceiling/2, ceiling], and caps at one minute', () => {
    const lo = (n: number) => backoffDelayMs(n, { random: () => 0 });
    const hi = (n: number) => backoffDelayMs(n, { random: () => 0.999999 });
    expect([lo(1), hi(1)]).toEqual([500, 1000]);
    expect([lo(2), hi(2)]).toEqual([1000, 2000]);
    expect([lo(4), hi(4)]).toEqual([4000, 8000]);
    expect([lo(7), hi(7)]).toEqual([30_000, 60_000]);
    expect([lo(50), hi(50)]).toEqual([30_000, 60_000]);
  });

  it('spreads retries of many clients (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(5)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
