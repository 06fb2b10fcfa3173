import { sql } from 'drizzle-orm';

/**
 * The writers' advisory lock (also hard-coded in drizzle/server/0001_seq_triggers.sql).
 * Every write transaction takes it first, so change_seq values are handed out only while
 * holding it: commit order equals seq order and a pull cursor "seq N" never skips a row
 * that commits later. Readers never take it, so pulls do not wait for writers.
 */
const WRITERS_LOCK_KEY = 7_310_027_331;
export const takeWritersLock = sql`SELECT pg_advisory_xact_lock(${sql.raw(String(WRITERS_LOCK_KEY))})`;
