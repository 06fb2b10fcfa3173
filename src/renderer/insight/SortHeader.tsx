import type { ReactNode } from 'react';
import type { SortDir } from './useSort.js';

/** A column header that sorts its table; screen readers hear the order through aria-sort. */
export function SortHeader<K extends string>({
  column,
  sort,
  onSort,
  children,
  className,
  definition,
}: {
  column: K;
  sort: { key: K; dir: SortDir };
  onSort: (key: K) => void;
  children: ReactNode;
  className?: string;
  /** What the column's numbers mean, shown on hover (the screen also states it in words). */
  definition?: string;
}) {
  const active = sort.key === column;
  return (
    <th scope="col" className={className} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => onSort(column)} title={definition}>
        {children}
        <span className="sort-mark" aria-hidden="true">
          {active ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}
