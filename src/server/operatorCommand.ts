import { openServerDatabase, type Database } from './db/database.js';

// The operator's shell commands (`keys …`, `erasures …`, `devices …`, `sessions …`) work on the
// server's database directly. Each opens it, runs, and closes it the same way: a failure to open
// or to run is one plain line and exit code 1, never a stack trace.

export interface OperatorIo {
  out(line: string): void;
  err(line: string): void;
}

/** Opens the database at `data`, runs `run` on it, closes it; returns the exit code. */
export async function onServerDatabase(data: string, label: string, io: OperatorIo, run: (db: Database) => Promise<number>): Promise<number> {
  let db: Database;
  try {
    db = await openServerDatabase(data);
  } catch (e) {
    io.err(`could not open the server database at ${data}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  try {
    return await run(db);
  } catch (e) {
    io.err(`${label} failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await db.close();
  }
}
