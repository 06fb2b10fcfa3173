import type Database from 'better-sqlite3';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { DataTable } from '../../shared/rows.js';
import type { Scope } from '../../shared/scope.js';
import { bindDatabaseIfUnset, readSyncState, setHeardMutationId, setLastSyncedAt } from '../db/syncState.js';
import type { PageResult, PullPageApplier } from './applyPullPage.js';
import { deferForBulkLoad, restoreDeferred } from './bulkLoad.js';
import { decodePullPage, peekPullHead } from './decodePullPage.js';
import { dropAcknowledged } from './outbox.js';
import { SyncHttpError, type ProtocolClient } from './protocolClient.js';
import { PullWorker, type PullHead, type PullWorkerEntry } from './pullWorker.js';
import { rebase } from './rebase.js';
import { collectWrites } from './writtenTables.js';

// The pull half of a sync run (docs/protocol.md, "Pull"): every page from the stored cursor to
// the end, each applied with its cursor in one transaction, then what the whole pull settles
// (acknowledged changes dropped, pending ones rebased on the new server state).

const MAX_RESYNCS_PER_RUN = 2;
/** A pull with at least this many more pages to come moves to a worker thread. */
const PULL_WORKER_MIN_PAGES = 4;
/**
 * A first pull of up to this many pages builds its deferred indexes on its own worker, already
 * loaded and connected: on the scoped first sync (17 pages) that took ~200 ms off its end, where
 * a new thread had to start under load. A longer pull's worker is closed first and a new thread
 * builds them: after hundreds of pages the worker's heap stays resident (measured: peak RSS of
 * the 242-page large first sync ~30 MB higher), and a thread's start is under 1% of such a pull.
 */
const BUILD_ON_WORKER_MAX_PAGES = 50;

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export interface PullRun {
  sqlite: Database.Database;
  client: ProtocolClient;
  userId: string;
  applier: PullPageApplier;
  limit: number;
  /** Where a long pull's worker thread gets its code; null: every page is applied on this thread. */
  workerEntry: PullWorkerEntry | null | undefined;
  nativeBinding: string | undefined;
  /** A worker started ahead of this pull (a first sync's, while the sign-in was on its way), or undefined. */
  warmWorker?: Promise<PullWorker | null> | undefined;
  /** The server asked for a resync: forget the mirror (the pull then starts from the beginning). */
  resetMirror: () => void;
  onPage: (p: { rowsApplied: number; remaining: number; tables: DataTable[] }) => void;
  onDataChanged: (tables: DataTable[]) => void;
}

/** What the last page said, for what follows the pull. */
interface PullEnd {
  lastMutationId: number;
  databaseId: string | null;
  scope: Scope | undefined;
}

/** Pull and apply every page, then settle; returns the coordinator's scope when a page carried one. */
export async function pullPages(run: PullRun): Promise<Scope | undefined> {
  const workers = new LazyWorker(run);
  let end: PullEnd;
  try {
    end = await applyEveryPage(run, workers);
    // After a first pull (or one resumed after a kill during it) the deferred indexes and search
    // triggers come back, built by the pull's worker when it has one and the pull was short.
    const build = workers.builder();
    if (!build) await workers.close();
    await restoreDeferred(run.sqlite, { build });
  } finally {
    await workers.close();
  }
  run.onDataChanged(settle(run.sqlite, run.userId, end));
  return end.scope;
}

async function applyEveryPage(run: PullRun, workers: LazyWorker): Promise<PullEnd> {
  const { sqlite } = run;
  const { clientId, cursor: startCursor, serverDatabaseId } = readSyncState(sqlite);
  const fetchPage = (cursor: string | null): Promise<ArrayBuffer> => {
    const p = run.client.pullBytes({ protocol: PROTOCOL_VERSION, clientId, databaseId: serverDatabaseId, cursor, limit: run.limit });
    // A prefetched page may be abandoned (an apply failed); its failure must not go unhandled.
    p.catch(() => undefined);
    return p;
  };
  if (startCursor === null) {
    deferForBulkLoad(sqlite);
    // A first sync is long: the worker loads while the first page is on its way.
    workers.start();
  }
  let next = fetchPage(startCursor);
  let resyncs = 0;
  const end: PullEnd = { lastMutationId: 0, databaseId: null, scope: undefined };
  for (;;) {
    let bytes: ArrayBuffer;
    try {
      bytes = await next;
    } catch (e) {
      if (e instanceof SyncHttpError && e.kind === 'resync_required' && resyncs < MAX_RESYNCS_PER_RUN) {
        resyncs++;
        run.resetMirror();
        deferForBulkLoad(sqlite);
        next = fetchPage(null);
        continue;
      }
      throw e;
    }
    // Fetch page N+1 while page N is parsed and written: the network and SQLite work overlap.
    // Asked for from the head's first bytes, then checked against the parsed head.
    const peek = peekPullHead(bytes);
    let early = peek?.hasMore ? { cursor: peek.cursor, page: fetchPage(peek.cursor) } : null;
    const { head, applied } = await workers.apply(bytes);
    if (early && (!head.hasMore || early.cursor !== head.cursor)) early = null;
    const prefetch = head.hasMore ? (early?.page ?? fetchPage(head.cursor)) : null;
    if (prefetch) workers.startIfLong(head.remaining);
    const result = await applied;
    end.lastMutationId = head.lastMutationId;
    end.databaseId = head.databaseId;
    end.scope = head.scope ?? end.scope;
    run.onPage({ rowsApplied: result.rowsApplied, remaining: head.remaining, tables: [...result.tables] });
    if (!prefetch) return end;
    // Let searches and IPC calls run between pages.
    await yieldToEventLoop();
    next = prefetch;
  }
}

/** What a finished pull settles, in one transaction; returns the tables it wrote. */
function settle(sqlite: Database.Database, userId: string, end: PullEnd): DataTable[] {
  return collectWrites(sqlite, () =>
    sqlite
      .transaction(() => {
        if (end.databaseId) bindDatabaseIfUnset(sqlite, end.databaseId);
        // Answers heard for mutations the server no longer counts (it was restored from a backup
        // taken before them): they are sent again, and a mutation_gap renumbers them.
        if (readSyncState(sqlite).heardMutationId > end.lastMutationId) setHeardMutationId(sqlite, end.lastMutationId);
        dropAcknowledged(sqlite, end.lastMutationId);
        rebase(sqlite, userId);
        setLastSyncedAt(sqlite, new Date().toISOString());
      })
      .immediate(),
  ).tables;
}

/**
 * A pull of more than one page moves to a worker thread once one is up (pullWorker.ts); until
 * then, and for the usual one-page pull, pages are applied here in short slices.
 */
class LazyWorker {
  private worker: PullWorker | null = null;
  private starting: Promise<PullWorker | null> | null = null;
  private pages = 0;

  constructor(private readonly run: PullRun) {}

  async apply(bytes: ArrayBuffer): Promise<{ head: PullHead; applied: Promise<PageResult> }> {
    this.pages++;
    if (this.worker) {
      const job = this.worker.submit(bytes);
      return { head: await job.head, applied: job.applied };
    }
    const page = decodePullPage(bytes);
    return { head: page, applied: this.run.applier.applyInSlices(page) };
  }

  /**
   * Only for a long pull: starting a worker costs tens of ms (hundreds from source), which a
   * pull of a few pages, like the one after a big push, would not win back.
   */
  startIfLong(remaining: number): void {
    if (remaining >= PULL_WORKER_MIN_PAGES * this.run.limit) this.start();
  }

  /** Start the worker (once; never where the host gave no entry for it), or take the one started ahead. */
  start(): void {
    const { run } = this;
    if (this.worker || this.starting || run.workerEntry === null) return;
    this.starting =
      run.warmWorker ??
      PullWorker.start({ file: run.sqlite.name, ...(run.nativeBinding ? { nativeBinding: run.nativeBinding } : {}) }, run.workerEntry);
    void this.starting.then((w) => (this.worker = w));
  }

  /**
   * The worker as the builder of a bulk load's deferred DDL (waiting for it if it is still
   * loading: a short first pull can end first); undefined when this pull started none, or was
   * long (BUILD_ON_WORKER_MAX_PAGES).
   */
  builder(): ((ddl: string[]) => Promise<boolean>) | undefined {
    const starting = this.starting;
    if (!starting || this.pages > BUILD_ON_WORKER_MAX_PAGES) return undefined;
    return async (ddl) => {
      const w = this.worker ?? (await starting);
      return w ? w.build(ddl) : false;
    };
  }

  async close(): Promise<void> {
    // A worker started ahead but never taken (the pull did not need one) goes too.
    await (this.worker ?? (await (this.starting ?? this.run.warmWorker)))?.close();
  }
}
