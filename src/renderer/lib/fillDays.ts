import { addDays } from '../../shared/timeZones.js';

export interface DayCount {
  day: string;
  count: number;
}

/**
 * Every day from `from` to `to` (by default the first and last active day) with its count,
 * zero for quiet days, so bars sit on a true time axis (a quiet month shows as a gap).
 */
export function fillDays(days: readonly DayCount[], from?: string, to?: string): DayCount[] {
  if (days.length === 0 && (from === undefined || to === undefined)) return [];
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const byDay = new Map(sorted.map((d) => [d.day, d.count]));
  const first = from ?? sorted[0]!.day;
  const last = to ?? sorted[sorted.length - 1]!.day;
  const out: DayCount[] = [];
  for (let day = first, guard = 0; day <= last && guard < 20_000; day = addDays(day, 1), guard++) {
    out.push({ day, count: byDay.get(day) ?? 0 });
  }
  return out;
}
