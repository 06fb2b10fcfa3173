// Percentiles over raw samples (nearest-rank), so p95 of 40 samples is a real observed value.
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): { p50: number; p95: number; n: number } {
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), n: samples.length };
}

export const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
