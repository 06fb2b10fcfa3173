import type Database from 'better-sqlite3';
import { MAX_PUSH_BYTES, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { DataTable } from '../../shared/rows.js';
import { readSyncState } from '../db/syncState.js';
import { applyPushResponse } from './applyPushResponse.js';
import { entryBytes, markAttempted, pushBatch, renumberFrom, startOver, wireForm, type OutboxEntry } from './outbox.js';
import { SyncHttpError, type ProtocolClient } from './protocolClient.js';
import { rejectTooLarge } from './tooLarge.js';
import { collectWrites } from './writtenTables.js';

// The push half of a sync run (docs/protocol.md, "Push"): send the outbox in batches until it is
// empty, recording each answer as it comes. Every step commits before the next request, so a
// kill at any instant loses nothing.

/** Give up on a run after this many consecutive mutation_gap answers (the server keeps moving). */
const MAX_GAP_RETRIES = 3;
/** A history that diverged is started over once a run; a second divergence in one run is a bug worth stopping on. */
const MAX_FRESH_STARTS = 1;

export interface PushRun {
  sqlite: Database.Database;
  client: ProtocolClient;
  userId: string;
  now: () => Date;
  /** Called before the first request goes out. */
  onSending: () => void;
  onDataChanged: (tables: DataTable[]) => void;
}

/** Push every pending change; throws the error that stopped it (the engine decides what it means). */
export async function pushOutbox(run: PushRun): Promise<void> {
  const { sqlite } = run;
  let gaps = 0;
  let freshStarts = 0;
  // Batches are bounded by bytes as well as count; a 413 (a server or proxy with a lower limit)
  // halves the batch, and a change that alone is too large is refused here, so no single change
  // can keep every later one (and every pull) waiting.
  let maxCount = MAX_PUSH_MUTATIONS;
  for (;;) {
    const batch = pushBatch(sqlite, maxCount, MAX_PUSH_BYTES);
    if (batch.length === 0) return;
    if (batch.length === 1 && entryBytes(batch[0]!) > MAX_PUSH_BYTES) {
      refuseTooLarge(run, batch[0]!);
      continue;
    }
    run.onSending();
    // Committed before sending: lets a later run tell "maybe seen by the server" from "never sent".
    markAttempted(
      sqlite,
      batch.map((e) => e.id),
    );
    const { clientId, serverDatabaseId, heardMutationId } = readSyncState(sqlite);
    let res;
    try {
      res = await run.client.push({
        protocol: PROTOCOL_VERSION,
        clientId,
        databaseId: serverDatabaseId,
        ack: heardMutationId,
        mutations: batch.map(wireForm),
      });
    } catch (e) {
      if (!(e instanceof SyncHttpError)) throw e;
      if (e.extra.status === 413) {
        if (batch.length > 1) maxCount = Math.ceil(batch.length / 2);
        else refuseTooLarge(run, batch[0]!);
        continue;
      }
      if (e.kind === 'mutation_gap' && e.extra.expected !== undefined && gaps < MAX_GAP_RETRIES) {
        gaps++;
        const expected = e.extra.expected;
        sqlite.transaction(() => renumberFrom(sqlite, Math.min(expected, batch[0]!.id), expected)).immediate();
        continue;
      }
      if (e.kind === 'client_diverged' && freshStarts < MAX_FRESH_STARTS) {
        // The server saw other changes under these ids (docs/protocol.md, "what a resend means"):
        // carry on as a new client, every pending change kept and in order.
        freshStarts++;
        sqlite.transaction(() => startOver(sqlite)).immediate();
        continue;
      }
      throw e;
    }
    const out = applyPushResponse(sqlite, batch, res, { now: run.now(), changedBy: run.userId });
    run.onDataChanged(out.tables);
    if (res.lastMutationId < batch[0]!.id) {
      throw new SyncHttpError('bad_response', 'The server did not take the pending changes; trying again shortly.');
    }
  }
}

function refuseTooLarge(run: PushRun, entry: OutboxEntry): void {
  run.onDataChanged(collectWrites(run.sqlite, () => rejectTooLarge(run.sqlite, entry, { now: run.now(), changedBy: run.userId })).tables);
}
