import type Database from 'better-sqlite3';
import { SYNC_TABLES } from '../../shared/rows.js';
import { deferInsightTriggers } from '../insight/derivedTables.js';
import { insertConflict } from './conflicts.js';
import { allPending, wireForm } from './outbox.js';
import { NOOP_MUTATION } from '../../shared/mutations.js';
import { clearBases } from './serverBase.js';
import { clearQuarantine } from './pullQuarantine.js';
import { bindDatabase, readSyncState, startOverForDatabase } from '../db/syncState.js';

// Sync state belongs to one server database (docs/protocol.md, "identity of client and
// server"). The mirror, the cursor, the outbox's numbering and the clientId all describe this
// laptop's history with the database named in sync_state.server_database_id. Signing in to a
// server that holds another database starts that history over: its rows are pulled from the
// start, and the changes still pending for the old database are never sent to the new one.
// They are not dropped either: each becomes a conflict (code `server_changed`) that keeps the
// coordinator's text, which they can discard or apply here if it makes sense.

export type Adoption = 'same' | 'bound' | 'switched';

export interface ServerSeen {
  databaseId: string;
  /** The server's address, for the coordinator's message. */
  serverUrl: string;
  /** The previous address this laptop used (null on a fresh install). */
  previousUrl: string | null;
}

/** Call when a server says which database it holds (sign-in). One transaction. */
export function adoptServer(sqlite: Database.Database, seen: ServerSeen, now: Date): Adoption {
  return sqlite
    .transaction((): Adoption => {
      const state = readSyncState(sqlite);
      if (state.serverDatabaseId === seen.databaseId) return 'same';
      // Data synced before protocol 2 does not know its database: it is taken to be this one
      // when the address is the same (or nothing was ever synced), another one otherwise.
      const unknownButSameAddress = state.serverDatabaseId === null && (seen.previousUrl === null || seen.previousUrl === seen.serverUrl);
      if (unknownButSameAddress || isEmpty(sqlite)) {
        bindDatabase(sqlite, seen.databaseId);
        return 'bound';
      }
      holdPending(sqlite, seen, now);
      sqlite.prepare('DELETE FROM champion_stage_change WHERE pending_mutation_id IS NOT NULL').run();
      clearBases(sqlite);
      // As a full resync does (engine.ts): the first pull that follows rebuilds the insight tables
      // at its end, so the rows are not taken out of them one trigger at a time.
      deferInsightTriggers(sqlite);
      for (const t of SYNC_TABLES) sqlite.prepare(`DELETE FROM "${t}"`).run();
      clearQuarantine(sqlite);
      startOverForDatabase(sqlite, seen.databaseId);
      return 'switched';
    })
    .immediate();
}

function holdPending(sqlite: Database.Database, seen: ServerSeen, now: Date): void {
  const where = seen.previousUrl && seen.previousUrl !== seen.serverUrl ? ` (${seen.previousUrl})` : '';
  const message = `Made while this laptop was signed in to another server${where}, and not sent to this one. Discard it, or apply it here if it still makes sense.`;
  for (const e of allPending(sqlite).filter((x) => x.name !== NOOP_MUTATION))
    insertConflict(sqlite, wireForm(e), { code: 'server_changed', message, current: null, blockedBy: null }, now);
  sqlite.prepare('DELETE FROM outbox').run();
}

function isEmpty(sqlite: Database.Database): boolean {
  const any = (q: string) => sqlite.prepare(q).get() !== undefined;
  return !any('SELECT 1 FROM outbox LIMIT 1') && SYNC_TABLES.every((t) => !any(`SELECT 1 FROM "${t}" LIMIT 1`));
}
