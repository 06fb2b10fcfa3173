import type Database from 'better-sqlite3';
import { SYNC_TABLES } from '../../shared/rows.js';
import { setPullProgress } from '../db/syncState.js';
import { deferInsightTriggers } from '../insight/derivedTables.js';
import { clearQuarantine } from './pullQuarantine.js';
import { clearBases } from './serverBase.js';

/**
 * Forget every mirrored row, keeping the outbox and conflicts, so the next pull starts from
 * the beginning (a full resync, or the server's `resync_required`). Returns the tables written.
 */
export function resetMirror(sqlite: Database.Database): (typeof SYNC_TABLES)[number][] {
  sqlite
    .transaction(() => {
      clearBases(sqlite);
      // Row by row through the insight triggers, a million actions would take minutes; the pull
      // that follows rebuilds those tables at its end anyway (src/main/insight/derivedTables.ts).
      deferInsightTriggers(sqlite);
      for (const t of SYNC_TABLES) sqlite.prepare(`DELETE FROM "${t}"`).run();
      // The pull from the start brings every row again, quarantined ones included.
      clearQuarantine(sqlite);
      setPullProgress(sqlite, { cursor: null, pullInProgress: true });
    })
    .immediate();
  return [...SYNC_TABLES];
}
