import type Database from 'better-sqlite3';
import type { SyncStatus } from '../../shared/ipc.js';
import { PULL_LIMIT_DEFAULT } from '../../shared/protocol.js';
import type { DataTable } from '../../shared/rows.js';
import { readSyncState } from '../db/syncState.js';
import { PullPageApplier } from './applyPullPage.js';
import { backoffDelayMs } from './backoff.js';
import { openConflictCount } from './conflicts.js';
import { failureDecision } from './failurePolicy.js';
import { resetMirror } from './mirrorReset.js';
import { pendingCount } from './outbox.js';
import { ProtocolClient } from './protocolClient.js';
import { pullPages } from './pullPages.js';
import { PullWorker, type PullWorkerEntry } from './pullWorker.js';
import { pushOutbox } from './pushOutbox.js';
import type { Session } from './session.js';
import type { SqliteHost } from './sqliteHost.js';

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

/** How long a worker started ahead of a first sync waits for it before it is closed. */
const WARM_WORKER_IDLE_MS = 60_000;

export class SyncEngine {
  private readonly sqlite: Database.Database;
  private readonly session: Session;
  private readonly opts: SyncEngineOptions;
  private applier: PullPageApplier | null = null;

  private started = false;
  private stopped = false;
  /** Stopped only while `whileStopped` runs its function (a sign-in). */
  private pausing = false;
  private online = true;
  private running: Promise<SyncStatus> | null = null;
  private again = false;
  private resetRequested = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private abort = new AbortController();
  /** A first sync's pull worker, started while the sign-in was on its way (warmPullWorker). */
  private warm: { worker: Promise<PullWorker | null>; timer: NodeJS.Timeout } | null = null;

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
    this.session.onSigningIn(() => this.warmPullWorker());
  }

  /**
   * A laptop that has never synced follows a sign-in with a first sync, whose pages are written
   * on a worker thread (pullWorker.ts). Loading that thread takes ~160 ms on an idle machine and
   * several hundred while the first pages arrive (measured on the scoped first sync: the first
   * page was written on this thread, in slices, while the worker was still loading). Starting it
   * while the sign-in request is out takes that off the sync. Unused after a minute (a wrong
   * password), it is closed.
   */
  private warmPullWorker(): void {
    if (this.warm || (this.stopped && !this.pausing) || this.opts.pullWorker === null || this.sqlite.memory) return;
    if (readSyncState(this.sqlite).cursor !== null) return;
    const worker = PullWorker.start(
      { file: this.sqlite.name, ...(this.opts.nativeBinding ? { nativeBinding: this.opts.nativeBinding } : {}) },
      this.opts.pullWorker,
    );
    const timer = setTimeout(() => void this.dropWarmWorker(), WARM_WORKER_IDLE_MS);
    timer.unref?.();
    this.warm = { worker, timer };
  }

  /** The worker started ahead, for the pull that uses it (undefined when there is none). */
  private takeWarmWorker(): Promise<PullWorker | null> | undefined {
    const w = this.warm;
    if (!w) return undefined;
    clearTimeout(w.timer);
    this.warm = null;
    return w.worker;
  }

  private async dropWarmWorker(): Promise<void> {
    await (await this.takeWarmWorker())?.close();
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
    // Every connection to the file closes with the engine (a wipe deletes the file next).
    await this.dropWarmWorker();
    this.abort = new AbortController();
  }

  /**
   * Run `fn` with no sync in flight and none starting (a sign-in that may start local data over
   * for another server must not race a sync of the old one), then carry on as before.
   */
  async whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    const wasStarted = this.started && !this.stopped;
    await this.stop();
    this.pausing = true;
    try {
      return await fn();
    } finally {
      this.pausing = false;
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
    await pushOutbox({
      sqlite: this.sqlite,
      client,
      userId,
      now: () => this.now(),
      onSending: () => this.setPhase('pushing'),
      onDataChanged: (tables) => this.emitData(tables),
    });
  }

  private async pull(client: ProtocolClient, userId: string): Promise<void> {
    this.applier ??= new PullPageApplier(this.sqlite);
    this.progress = { pagesDone: 0, rowsApplied: 0, remaining: 0 };
    this.setPhase('pulling');
    const scope = await pullPages({
      sqlite: this.sqlite,
      client,
      userId,
      applier: this.applier,
      limit: this.opts.pullLimit ?? PULL_LIMIT_DEFAULT,
      workerEntry: this.opts.pullWorker,
      nativeBinding: this.opts.nativeBinding,
      warmWorker: this.takeWarmWorker(),
      resetMirror: () => this.resetMirror(),
      onPage: ({ rowsApplied, remaining, tables }) => {
        const done = this.progress ?? { pagesDone: 0, rowsApplied: 0, remaining: 0 };
        this.progress = { pagesDone: done.pagesDone + 1, rowsApplied: done.rowsApplied + rowsApplied, remaining };
        this.emitData(tables);
        this.emitStatus();
      },
      onDataChanged: (tables) => this.emitData(tables),
    });
    // A superadmin may have changed this coordinator's communities since the sign-in.
    if (scope) this.session.noteScope(scope);
  }

  private resetMirror(): void {
    this.emitData(resetMirror(this.sqlite));
  }

  private handleFailure(e: unknown): void {
    this.progress = null;
    const d = failureDecision(e, this.online);
    if (d.counts) this.failures++;
    this.error = d.error;
    if (d.session === 'expired') this.session.markExpired();
    if (d.retry === 'none') this.clearRetry();
    else if (d.retry === 'backoff') this.scheduleRetry(backoffDelayMs(this.failures, { random: this.opts.random }));
    else if (d.retry !== 'keep') this.scheduleRetry(d.retry.afterMs);
    this.setPhase(d.phase);
    if (d.session === 'device_revoked' || d.session === 'not_a_coordinator') this.session.revoked(d.session);
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
