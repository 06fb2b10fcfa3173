import type Database from 'better-sqlite3';

// Hot-path queries are prepared once per connection and reused: preparing costs about as
// much as running one small page. Keyed by the connection so that closing a database
// lets its statements go with it.
const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function cachedStatement(sqlite: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(sqlite);
  if (!cache) {
    cache = new Map();
    caches.set(sqlite, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = sqlite.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}
