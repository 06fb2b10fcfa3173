export interface DayCount {
  day: string;
  count: number;
}

/**
 * Fills the days between the first and the last active day with zeros, so bars sit on a
 * true time axis (a quiet month shows as a gap, not as nothing).
 */
export function fillDays(days: readonly DayCount[]): DayCount[] {
  if (days.length === 0) return [];
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const byDay = new Map(sorted.map((d) => [d.day, d.count]));
  const out: DayCount[] = [];
  const cursor = new Date(`${sorted[0]!.day}T00:00:00Z`);
  const last = sorted[sorted.length - 1]!.day;
  for (let guard = 0; guard < 20_000; guard++) {
    const day = cursor.toISOString().slice(0, 10);
    out.push({ day, count: byDay.get(day) ?? 0 });
    if (day >= last) break;
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return out;
}
