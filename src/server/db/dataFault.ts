// A database failure that belongs to the data being written rather than to the database's
// health: integrity constraints (SQLSTATE class 23), data exceptions (22: a value out of range,
// a NUL, bad JSON) and program limits (54: a value too large to index). The same write would
// fail again on every retry, so the edges answer it as the writer's fault (a 400, or a
// mutation's `rejected`), never as a 500. Anything else (a lost connection, a deadlock, a full
// disk, a bug) is an outage and is rethrown by the caller.

const DATA_FAULT_CLASSES = new Set(['22', '23', '54']);

export type DataFault = {
  /** The constraint the value broke (`champion_notes_storable`), or '' when the error names none. */
  constraint: string;
  /** Plain words for why, to follow "the server cannot store this … because". */
  why: string;
};

function dbField(e: unknown, key: string, shape?: RegExp): string | undefined {
  let cur: unknown = e;
  // drizzle wraps the driver's error in `cause`.
  for (let depth = 0; depth < 4 && typeof cur === 'object' && cur !== null; depth++) {
    const v = (cur as Record<string, unknown>)[key];
    if (typeof v === 'string' && (!shape || shape.test(v))) return v;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The data fault behind a database error, or null for an outage. */
export function dataFault(e: unknown): DataFault | null {
  const state = dbField(e, 'code', /^[0-9A-Z]{5}$/);
  if (!state || !DATA_FAULT_CLASSES.has(state.slice(0, 2))) return null;
  const why = state.startsWith('23')
    ? 'it breaks one of its data rules'
    : state.startsWith('54')
      ? 'a value is too large'
      : 'a value is not one it can store';
  return { constraint: dbField(e, 'constraint') ?? '', why };
}
