import type { Scope } from '../../shared/scope.js';
import type Database from 'better-sqlite3';
import type { SyncStatus } from '../../shared/ipc.js';
import { MAX_PUSH_BYTES, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION, PULL_LIMIT_DEFAULT } from '../../shared/protocol.js';
import { SYNC_TABLES, type DataTable } from '../../shared/rows.js';
import { collectWrites } from './writtenTables.js';
import { applyPushResponse } from './applyPushResponse.js';
import { PullPageApplier, type PageResult } from './applyPullPage.js';
import { decodePullPage } from './decodePullPage.js';
import { PullWorker, type PullHead, type PullWorkerEntry } from './pullWorker.js';
import { backoffDelayMs } from './backoff.js';
import { openConflictCount } from './conflicts.js';
import { dropAcknowledged, entryBytes, markAttempted, pendingCount, pushBatch, renumberFrom, startOver, wireForm } from './outbox.js';
import { rejectTooLarge } from './tooLarge.js';
import { ProtocolClient, SyncHttpError } from './protocolClient.js';
import { rebase } from './rebase.js';
import { deferForBulkLoad, restoreDeferred } from './bulkLoad.js';
import { deferInsightTriggers } from '../insight/derivedTables.js';
import type { Session } from './session.js';
import type { SqliteHost } from './sqliteHost.js';
import { bindDatabaseIfUnset, readSyncState, setHeardMutationId, setLastSyncedAt, setPullProgress } from '../db/syncState.js';
import { clearQuarantine } from './pullQuarantine.js';
import { clearBases } from './serverBase.js';

// Schedules and runs sync: push the outbox, pull every page, rebase. One run at a time;
// triggers while a run is going coalesce into one follow-up run. All progress that matters
// is committed to SQLite as it happens, so stopping (or a SIGKILL) at any instant loses
// nothing: the next run picks up from the database.

export interface SyncEngineOptions {
  app: SqliteHost;
  session: Session;
  fetch?: typeof fetch;
  /** Wait after a local change before syncing, so a burst of edits goes in one push. */
  debounceMs?: number;
  /** Rows per pull page (the server caps it at 10000). */
  pullLimit?: number;
  requestTimeoutMs?: number;
  random?: () => number;
  /** Where a big pull's worker thread gets its code (default: next to this module); null: apply every page here. */
  pullWorker?: PullWorkerEntry | null;
  /** better-sqlite3's addon for this runtime's ABI, for the pull worker's own connection. */
  nativeBinding?: string;
  /** This laptop's clock (tests give it a wrong one, as a laptop can have). */
  now?: () => Date;
}

/** Give up on a run after this many consecutive mutation_gap answers (the server keeps moving). */
const MAX_GAP_RETRIES = 3;
/** A history that diverged is started over once a run; a second divergence in one run is a bug worth stopping on. */
const MAX_FRESH_STARTS = 1;
const MAX_RESYNCS_PER_RUN = 2;
/** A pull with at least this many more pages to come moves to a worker thread. */
const PULL_WORKER_MIN_PAGES = 4;

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export class SyncEngine {
  private readonly sqlite: Database.Database;
  private readonly session: Session;
  private readonly opts: SyncEngineOptions;
  private applier: PullPageApplier | null = null;

  private started = false;
  private stopped = false;
  private online = true;
  private running: Promise<SyncStatus> | null = null;
  private again = false;
  private resetRequested = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();

  private phase: SyncStatus['phase'] = 'idle';
  private error: string | null = null;
  private nextRetryAt: string | null = null;
  private progress: SyncStatus['progress'] = null;

  private readonly statusListeners = new Set<(s: SyncStatus) => void>();
  private readonly dataListeners = new Set<(tables: DataTable[]) => void>();

  constructor(opts: SyncEngineOptions) {
    this.opts = opts;
    this.sqlite = opts.app.sqlite;
    this.session = opts.session;
    if (!this.session.authStatus().signedIn) this.phase = 'signed_out';
    // Signing in again after an expiry resumes syncing without the host having to ask.
    this.session.onChange((auth) => {
      if (auth.signedIn && this.phase === 'signed_out') {
        this.error = null;
        this.setPhase('idle');
        if (this.started && !this.stopped) void this.syncNow();
      } else if (!auth.signedIn && !this.running) {
        this.setPhase('signed_out');
      }
    });
  }

  /** Sync once now, then whenever a trigger fires (local change, back online, retry). */
  start(): void {
    this.started = true;
    this.stopped = false;
    void this.syncNow();
  }

  /** No new syncs; an in-flight request is cancelled and a running transaction finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimers();
    this.abort.abort();
    if (this.running) await this.running.catch(() => undefined);
    this.abort = new AbortController();
  }

  /**
   * Run `fn` with no sync in flight and none starting (a sign-in that may start local data over
   * for another server must not race a sync of the old one), then carry on as before.
   */
  async whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    const wasStarted = this.started && !this.stopped;
    await this.stop();
    try {
      return await fn();
    } finally {
      if (wasStarted) this.start();
      else this.stopped = false;
    }
  }

  setOnline(online: boolean): void {
    const was = this.online;
    this.online = online;
    if (!online) {
      this.clearRetry();
      if (!this.running) this.setPhase('offline');
      else this.emitStatus();
      return;
    }
    if (!was && this.started && !this.stopped) {
      // Back online: the old backoff was about the old network.
      this.failures = 0;
      void this.syncNow();
    } else this.emitStatus();
  }

  notifyLocalChange(): void {
    this.emitStatus();
    if (!this.started || this.stopped) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      if (this.online) void this.syncNow();
    }, this.opts.debounceMs ?? 1500);
    this.debounceTimer.unref?.();
  }

  /** Run a sync now (or join the running one and follow it with another). */
  syncNow(): Promise<SyncStatus> {
    if (this.stopped) return Promise.resolve(this.status());
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.loop().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  /** Drop every mirrored row and pull from the start again; the outbox and conflicts are kept. */
  fullResync(): Promise<SyncStatus> {
    this.resetRequested = true;
    return this.syncNow();
  }

  status(): SyncStatus {
    const state = readSyncState(this.sqlite);
    return {
      phase: this.phase,
      online: this.online,
      pending: pendingCount(this.sqlite),
      conflicts: openConflictCount(this.sqlite),
      lastSyncedAt: state.lastSyncedAt,
      error: this.error,
      nextRetryAt: this.nextRetryAt,
      progress: this.progress,
    };
  }

  onStatus(l: (s: SyncStatus) => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  onDataChanged(l: (tables: DataTable[]) => void): () => void {
    this.dataListeners.add(l);
    return () => this.dataListeners.delete(l);
  }

  // ---- the run ----

  private async loop(): Promise<SyncStatus> {
    do {
      this.again = false;
      await this.runOnce();
    } while (this.again && !this.stopped && this.phase === 'idle');
    return this.status();
  }

  private async runOnce(): Promise<void> {
    this.clearRetry();
    const token = this.session.token();
    const base = this.session.serverUrl();
    const user = this.session.user();
    if (!token || !base || !user) {
      this.error = base ? 'Signed out: sign in again.' : 'Not signed in: choose a server and sign in.';
      this.setPhase('signed_out');
      return;
    }
    const client = new ProtocolClient({
      baseUrl: base,
      token,
      fetch: this.opts.fetch,
      signal: this.abort.signal,
      timeoutMs: this.opts.requestTimeoutMs,
    });
    try {
      if (this.resetRequested) {
        this.resetMirror();
        this.resetRequested = false;
      }
      await this.push(client, user.id);
      await this.pull(client, user.id);
      this.failures = 0;
      this.error = null;
      this.nextRetryAt = null;
      this.progress = null;
      this.setPhase('idle');
    } catch (e) {
      this.handleFailure(e);
    }
  }

  private async push(client: ProtocolClient, userId: string): Promise<void> {
    let gaps = 0;
    let freshStarts = 0;
    // Batches are bounded by bytes as well as count; a 413 (a server or proxy with a lower
    // limit) halves the batch, and a change that alone is too large is refused here, so no
    // single change can keep every later one (and every pull) waiting.
    let maxCount = MAX_PUSH_MUTATIONS;
    for (;;) {
      const batch = pushBatch(this.sqlite, maxCount, MAX_PUSH_BYTES);
      if (batch.length === 0) return;
      if (batch.length === 1 && entryBytes(batch[0]!) > MAX_PUSH_BYTES) {
        this.emitData(collectWrites(this.sqlite, () => rejectTooLarge(this.sqlite, batch[0]!, { now: this.now(), changedBy: userId })).tables);
        continue;
      }
      this.setPhase('pushing');
      // Committed before sending: lets a later run tell "maybe seen by the server" from "never sent".
      markAttempted(
        this.sqlite,
        batch.map((e) => e.id),
      );
      const { clientId, serverDatabaseId, heardMutationId } = readSyncState(this.sqlite);
      let res;
      try {
        res = await client.push({
          protocol: PROTOCOL_VERSION,
          clientId,
          databaseId: serverDatabaseId,
          ack: heardMutationId,
          mutations: batch.map(wireForm),
        });
      } catch (e) {
        if (e instanceof SyncHttpError && e.extra.status === 413) {
          if (batch.length > 1) {
            maxCount = Math.ceil(batch.length / 2);
            continue;
          }
          this.emitData(collectWrites(this.sqlite, () => rejectTooLarge(this.sqlite, batch[0]!, { now: this.now(), changedBy: userId })).tables);
          continue;
        }
        if (e instanceof SyncHttpError && e.kind === 'mutation_gap' && e.extra.expected !== undefined && gaps < MAX_GAP_RETRIES) {
          gaps++;
          const expected = e.extra.expected;
          this.sqlite.transaction(() => renumberFrom(this.sqlite, Math.min(expected, batch[0]!.id), expected)).immediate();
          continue;
        }
        if (e instanceof SyncHttpError && e.kind === 'client_diverged' && freshStarts < MAX_FRESH_STARTS) {
          // The server saw other changes under these ids (docs/protocol.md, "what a resend means"):
          // carry on as a new client, every pending change kept and in order.
          freshStarts++;
          this.sqlite.transaction(() => startOver(this.sqlite)).immediate();
          continue;
        }
        throw e;
      }
      const out = applyPushResponse(this.sqlite, batch, res, { now: this.now(), changedBy: userId });
      this.emitData(out.tables);
      if (res.lastMutationId < batch[0]!.id) {
        throw new SyncHttpError('bad_response', 'The server did not take the pending changes; trying again shortly.');
      }
    }
  }

  private async pull(client: ProtocolClient, userId: string): Promise<void> {
    const { clientId, cursor: startCursor, serverDatabaseId } = readSyncState(this.sqlite);
    const limit = this.opts.pullLimit ?? PULL_LIMIT_DEFAULT;
    this.applier ??= new PullPageApplier(this.sqlite);
    this.progress = { pagesDone: 0, rowsApplied: 0, remaining: 0 };
    this.setPhase('pulling');
    const fetchPage = (cursor: string | null): Promise<ArrayBuffer> => {
      const p = client.pullBytes({ protocol: PROTOCOL_VERSION, clientId, databaseId: serverDatabaseId, cursor, limit });
      // A prefetched page may be abandoned (an apply failed); its failure must not go unhandled.
      p.catch(() => undefined);
      return p;
    };
    if (startCursor === null) deferForBulkLoad(this.sqlite);
    // A pull of more than one page moves to a worker thread once one is up (pullWorker.ts);
    // until then, and for the usual one-page pull, pages are applied here in short slices.
    const pool: { worker: PullWorker | null } = { worker: null };
    let starting: Promise<PullWorker | null> | null = null;
    let next = fetchPage(startCursor);
    let resyncs = 0;
    let lastMutationId = 0;
    let pulledFrom: string | null = null;
    let scope: Scope | undefined;
    try {
      for (;;) {
        let bytes: ArrayBuffer;
        try {
          bytes = await next;
        } catch (e) {
          if (e instanceof SyncHttpError && e.kind === 'resync_required' && resyncs < MAX_RESYNCS_PER_RUN) {
            resyncs++;
            this.resetMirror();
            deferForBulkLoad(this.sqlite);
            next = fetchPage(null);
            continue;
          }
          throw e;
        }
        let head: PullHead;
        let applied: Promise<PageResult>;
        if (pool.worker) {
          const job = pool.worker.submit(bytes);
          head = await job.head;
          applied = job.applied;
        } else {
          const page = decodePullPage(bytes);
          head = page;
          applied = this.applier.applyInSlices(page);
        }
        // Fetch page N+1 while page N is written: the network and SQLite work overlap.
        const prefetch = head.hasMore ? fetchPage(head.cursor) : null;
        // Only for a long pull: starting a worker costs tens of ms (hundreds from source), which
        // a pull of a few pages, like the one after a big push, would not win back.
        if (prefetch && head.remaining >= PULL_WORKER_MIN_PAGES * limit && !pool.worker && !starting && this.opts.pullWorker !== null) {
          starting = PullWorker.start(
            { file: this.sqlite.name, ...(this.opts.nativeBinding ? { nativeBinding: this.opts.nativeBinding } : {}) },
            this.opts.pullWorker,
          );
          void starting.then((w) => (pool.worker = w));
        }
        const result = await applied;
        lastMutationId = head.lastMutationId;
        pulledFrom = head.databaseId;
        scope = head.scope ?? scope;
        this.progress = {
          pagesDone: this.progress.pagesDone + 1,
          rowsApplied: this.progress.rowsApplied + result.rowsApplied,
          remaining: head.remaining,
        };
        this.emitData([...result.tables]);
        this.emitStatus();
        if (!prefetch) break;
        // Let searches and IPC calls run between pages.
        await yieldToEventLoop();
        next = prefetch;
      }
    } finally {
      await (pool.worker ?? (await starting))?.close();
    }
    // After a first pull (or one resumed after a kill during it) the deferred indexes and search triggers come back.
    await restoreDeferred(this.sqlite);
    const settled = collectWrites(this.sqlite, () =>
      this.sqlite
        .transaction(() => {
          if (pulledFrom) bindDatabaseIfUnset(this.sqlite, pulledFrom);
          // Answers heard for mutations the server no longer counts (it was restored from a backup
          // taken before them): they are sent again, and a mutation_gap renumbers them.
          if (readSyncState(this.sqlite).heardMutationId > lastMutationId) setHeardMutationId(this.sqlite, lastMutationId);
          dropAcknowledged(this.sqlite, lastMutationId);
          rebase(this.sqlite, userId);
          setLastSyncedAt(this.sqlite, new Date().toISOString());
        })
        .immediate(),
    );
    this.emitData(settled.tables);
    // A superadmin may have changed this coordinator's communities since the sign-in.
    if (scope) this.session.noteScope(scope);
  }

  /** Forget every mirrored row (keeping outbox and conflicts) so the next pull starts from null. */
  private resetMirror(): void {
    this.sqlite
      .transaction(() => {
        clearBases(this.sqlite);
        // Row by row through the insight triggers, a million actions would take minutes; the pull
        // that follows rebuilds those tables at its end anyway (src/main/insight/derivedTables.ts).
        deferInsightTriggers(this.sqlite);
        for (const t of SYNC_TABLES) this.sqlite.prepare(`DELETE FROM "${t}"`).run();
        // The pull from the start brings every row again, quarantined ones included.
        clearQuarantine(this.sqlite);
        setPullProgress(this.sqlite, { cursor: null, pullInProgress: true });
      })
      .immediate();
    this.emitData([...SYNC_TABLES]);
  }

  private handleFailure(e: unknown): void {
    this.progress = null;
    if (e instanceof SyncHttpError) {
      switch (e.kind) {
        case 'aborted':
          this.error = null;
          this.setPhase(this.online ? 'idle' : 'offline');
          return;
        case 'unauthorized':
          this.session.markExpired();
          this.error = 'Signed out: sign in again.';
          this.setPhase('signed_out');
          return;
        case 'database_changed':
          // Another database behind the same address: nothing more is sent to it until the
          // coordinator signs in again, which starts local data over for it (serverBinding.ts).
          this.session.markExpired();
          this.error = `${e.message} Your pending changes are kept.`;
          this.clearRetry();
          this.setPhase('signed_out');
          return;
        case 'upgrade_required':
          this.error = e.message;
          this.clearRetry();
          this.setPhase('error');
          return;
        case 'device_revoked':
        case 'not_a_coordinator':
          // This laptop may not keep the data: the core removes it (session listeners) and says why.
          this.error = e.message;
          this.clearRetry();
          this.setPhase('signed_out');
          this.session.revoked(e.kind);
          return;
        case 'forbidden':
          // Not a coordinator (any more), or this install's data belongs to another account:
          // retrying will not change that, so wait for the coordinator (sign in, sync now).
          this.error = e.message;
          this.clearRetry();
          this.setPhase('error');
          return;
        case 'rate_limited':
          this.error = e.message;
          this.scheduleRetry(e.extra.retryAfterMs ?? 5000);
          this.setPhase('error');
          return;
        case 'network':
          this.failures++;
          this.error = e.message;
          this.scheduleRetry(backoffDelayMs(this.failures, { random: this.opts.random }));
          this.setPhase('offline');
          return;
        default:
          this.failures++;
          this.error = e.message;
          this.scheduleRetry(backoffDelayMs(this.failures, { random: this.opts.random }));
          this.setPhase('error');
          return;
      }
    }
    this.failures++;
    this.error = `Sync failed: ${e instanceof Error ? e.message : String(e)}`;
    this.scheduleRetry(backoffDelayMs(this.failures, { random: this.opts.random }));
    this.setPhase('error');
  }

  private scheduleRetry(ms: number): void {
    this.clearRetry();
    if (!this.started || this.stopped) {
      this.nextRetryAt = null;
      return;
    }
    this.nextRetryAt = new Date(Date.now() + ms).toISOString();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.nextRetryAt = null;
      void this.syncNow();
    }, ms);
    this.retryTimer.unref?.();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextRetryAt = null;
  }

  private clearTimers(): void {
    this.clearRetry();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  private setPhase(phase: SyncStatus['phase']): void {
    this.phase = phase;
    this.emitStatus();
  }

  private emitStatus(): void {
    if (this.statusListeners.size === 0) return;
    const s = this.status();
    for (const l of this.statusListeners) l(s);
  }

  private emitData(tables: DataTable[]): void {
    for (const l of this.dataListeners) l(tables);
  }
}
