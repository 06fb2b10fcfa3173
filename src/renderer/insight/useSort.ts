import { useMemo, useState } from 'react';

// Client-side sorting for the insight tables: click a header to sort by it, again to reverse.

export type SortDir = 'asc' | 'desc';
export type SortValue = string | number | null;

export function useSort<T, K extends string>(
  rows: readonly T[],
  columns: Record<K, (row: T) => SortValue>,
  initial: { key: K; dir: SortDir },
  /** Columns whose first click sorts A→Z (names); the rest start with the largest first. */
  ascendingFirst: readonly K[] = [],
) {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const get = columns[sort.key];
    const sign = sort.dir === 'asc' ? 1 : -1;
    return [...rows].sort((a, b) => sign * compare(get(a), get(b)));
    // `columns` is a new object every render; the sort key names the function that matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rows, sort.key, sort.dir]);
  const toggle = (key: K) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: ascendingFirst.includes(key) ? 'asc' : 'desc' }));
  return { sorted, sort, toggle };
}

/** Empty values (never active, no date) sort as the smallest. */
export function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}
