import { parentPort, workerData } from 'node:worker_threads';
import type { PullEnvelope } from '../../shared/protocol.js';
import { openWriterPeer } from '../db/writerConnection.js';
import { PullPageApplier } from './applyPullPage.js';
import { INDEX_BUILD_PRAGMAS } from './bulkLoad.js';
import { decodePullPage } from './decodePullPage.js';
import { SyncHttpError } from './protocolClient.js';
import type { FromPullWorker, PullWorkerData, ToPullWorker } from './pullWorker.js';

// Runs inside the pull worker thread (see pullWorker.ts): decodes, checks and writes the pages
// of a big pull through its own connection, one page and its cursor per transaction, so the
// main thread's event loop never waits behind a page.

const port = parentPort;
if (!port) throw new Error('pullWorkerMain.ts runs only as a worker thread');
const { file, nativeBinding } = workerData as PullWorkerData;
const post = (m: FromPullWorker) => port.postMessage(m);

function failure(job: number, e: unknown): FromPullWorker {
  if (e instanceof SyncHttpError) return { type: 'failed', job, kind: e.kind, message: e.message };
  return { type: 'failed', job, kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

let sqlite: ReturnType<typeof openWriterPeer>;
try {
  sqlite = openWriterPeer(file, nativeBinding ? { nativeBinding } : {});
} catch (e) {
  post({ type: 'unavailable', message: e instanceof Error ? e.message : String(e) });
  port.close();
  throw e;
}
// Half the main connection's page cache: measured on the large first sync, 32 MB writes as fast
// as 64 MB (~24 s either way) and the app's peak RSS drops from ~350 to ~300 MB, since this
// cache comes on top of the main thread's.
sqlite.pragma('cache_size = -32768');
const applier = new PullPageApplier(sqlite);
port.on('message', (m: ToPullWorker) => {
  if (m.type === 'close') {
    sqlite.close();
    port.close();
    return;
  }
  if (m.type === 'build') {
    post({ type: 'built', job: m.job, ok: build(m.ddl) });
    return;
  }
  let page: PullEnvelope;
  try {
    page = decodePullPage(m.bytes);
  } catch (e) {
    post(failure(m.job, e));
    return;
  }
  // The cursor first: the main thread asks for the next page while this one is written.
  post({
    type: 'head',
    job: m.job,
    head: {
      databaseId: page.databaseId,
      cursor: page.cursor,
      hasMore: page.hasMore,
      lastMutationId: page.lastMutationId,
      remaining: page.remaining,
      scope: page.scope,
    },
  });
  try {
    const result = applier.applyWhole(page);
    post({ type: 'applied', job: m.job, rowsApplied: result.rowsApplied, tables: [...result.tables] });
  } catch (e) {
    post(failure(m.job, e));
  }
});

/** The deferred indexes and tables of a finished bulk load; false if any script failed (its transaction is rolled back). */
function build(ddl: string[]): boolean {
  for (const p of INDEX_BUILD_PRAGMAS) sqlite.pragma(p);
  // The pages' cache is handed back first: the sorts need memory of their own, and all of it
  // counts in the app's RSS.
  sqlite.pragma('shrink_memory');
  try {
    for (const d of ddl) sqlite.exec(d);
    return true;
  } catch {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    return false;
  }
}

post({ type: 'ready' });
