/** A UNIQUE/CHECK/NOT NULL failure from better-sqlite3 (its codes all start SQLITE_CONSTRAINT). */
export function isConstraintError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_CONSTRAINT');
}
