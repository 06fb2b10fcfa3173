import { utcDay } from './dates.js';

export interface DayGroup<T> {
  day: string;
  items: T[];
}

/**
 * Groups items (already ordered newest first by the query) into runs of one calendar day
 * (`dayOf`: the UTC day unless the screen passes the reader's zone). A day split across two
 * pages stays one group, because grouping runs over the concatenated pages rather than page
 * by page.
 */
export function groupByDay<T extends { occurred_at: string }>(items: readonly T[], dayOf: (iso: string) => string = utcDay): DayGroup<T>[] {
  const groups: DayGroup<T>[] = [];
  for (const item of items) {
    const day = dayOf(item.occurred_at);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.items.push(item);
    else groups.push({ day, items: [item] });
  }
  return groups;
}
