import type Database from 'better-sqlite3';
import type { DataTable } from '../../shared/rows.js';

// Which tables a write changed is reported by the code that writes them, as it writes, never
// listed by hand where the write is called: a screen goes stale when such a list forgets a
// table. Every function that writes a screen's table (the outbox, optimistic effects, rebases,
// conflicts, push answers) calls `noteWrite`; a caller that must tell the screens wraps the
// whole write in `collectWrites` and emits exactly what was noted. Outside `collectWrites` a
// note costs a map lookup. src/main/sync/writtenTables.test.ts compares, for every kind of
// write, what each table holds before and after with what was noted.

const open = new WeakMap<Database.Database, Set<DataTable>[]>();

/** Record that this connection's current write changed these tables. */
export function noteWrite(sqlite: Database.Database, ...tables: DataTable[]): void {
  const stack = open.get(sqlite);
  if (!stack) return;
  for (const collector of stack) for (const t of tables) collector.add(t);
}

/** Run `fn` and return what it returned with the tables it (and everything it called) wrote. */
export function collectWrites<T>(sqlite: Database.Database, fn: () => T): { result: T; tables: DataTable[] } {
  const collector = new Set<DataTable>();
  let stack = open.get(sqlite);
  if (!stack) open.set(sqlite, (stack = []));
  stack.push(collector);
  try {
    const result = fn();
    return { result, tables: [...collector] };
  } finally {
    stack.splice(stack.indexOf(collector), 1);
    if (stack.length === 0) open.delete(sqlite);
  }
}
