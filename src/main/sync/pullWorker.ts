import type { Scope } from '../../shared/scope.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DataTable } from '../../shared/rows.js';
import type { PageResult } from './applyPullPage.js';
import { SyncHttpError, type SyncErrorKind } from './protocolClient.js';

// A big pull (a first sync: a million rows in a few hundred pages) is decoded, checked and
// written on a worker thread with its own SQLite connection (pullWorkerMain.ts). The main
// thread only fetches bytes and hands them over (an ArrayBuffer moves without a copy), so
// searches and IPC calls never queue behind a page, and a page can be one transaction instead
// of many small slices that each pay a commit. WAL lets the main connection read meanwhile;
// its own writes (a coordinator's edit during the pull) wait at most one page for their turn.
// Signal Desktop runs its SQLite in a worker thread of the main process for the same reason.

export interface PullWorkerData {
  file: string;
  nativeBinding?: string;
}

export interface PullHead {
  databaseId: string;
  cursor: string;
  hasMore: boolean;
  lastMutationId: number;
  remaining: number;
  scope?: Scope | undefined;
}

export type ToPullWorker = { type: 'apply'; job: number; bytes: ArrayBuffer } | { type: 'build'; job: number; ddl: string[] } | { type: 'close' };

export type FromPullWorker =
  | { type: 'ready' }
  | { type: 'unavailable'; message: string }
  | { type: 'head'; job: number; head: PullHead }
  | { type: 'applied'; job: number; rowsApplied: number; tables: DataTable[] }
  | { type: 'failed'; job: number; kind: SyncErrorKind | 'internal'; message: string }
  | { type: 'built'; job: number; ok: boolean };

export interface PageJob {
  /** The page's envelope, known once it is decoded and checked (before its rows are written). */
  head: Promise<PullHead>;
  /** The page and its cursor, committed. */
  applied: Promise<PageResult>;
}

/** Where the worker's code is: the bundled .js next to this module, or (from source) the .ts through tsx. */
export type PullWorkerEntry = { kind: 'module'; url: URL } | { kind: 'source'; url: URL; tsxApi: string };

function defaultPullWorkerEntry(): PullWorkerEntry | null {
  const built = new URL('./pullWorkerMain.js', import.meta.url);
  if (built.protocol === 'file:' && existsSync(fileURLToPath(built))) return { kind: 'module', url: built };
  const source = new URL('./pullWorkerMain.ts', import.meta.url);
  if (source.protocol !== 'file:' || !existsSync(fileURLToPath(source))) return null;
  // Running from source (tests, the browser host, the CLI): a worker does not inherit the
  // parent's TypeScript loader, so it registers tsx's itself before importing the entry.
  try {
    const api = createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs');
    return existsSync(api) ? { kind: 'source', url: source, tsxApi: api } : null;
  } catch {
    return null;
  }
}

/** The one job in flight: a page (its head, then its commit) or a build of deferred DDL. */
type Pending =
  | { kind: 'page'; job: number; resolveHead: (h: PullHead) => void; resolveApplied: (r: PageResult) => void; reject: (e: Error) => void }
  | { kind: 'build'; job: number; resolve: (ok: boolean) => void };

export class PullWorker {
  private pending: Pending | null = null;
  private nextJob = 1;
  private dead: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: FromPullWorker) => this.onMessage(m));
    worker.on('error', (e) => this.fail(new Error(`The pull worker stopped: ${e.message}`)));
    worker.on('exit', () => this.fail(new Error('The pull worker stopped unexpectedly.')));
  }

  /** Start a worker on the database file; null when one cannot run here (the caller applies in-thread). */
  static async start(data: PullWorkerData, entry: PullWorkerEntry | null = defaultPullWorkerEntry()): Promise<PullWorker | null> {
    if (!entry) return null;
    let worker: Worker;
    try {
      worker =
        entry.kind === 'module'
          ? new Worker(entry.url, { workerData: data })
          : new Worker(
              `import(${JSON.stringify(pathToFileURL(entry.tsxApi).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry.url.href)}); });`,
              { eval: true, workerData: data },
            );
    } catch {
      return null;
    }
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (m: FromPullWorker) => resolve(m.type === 'ready'));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return null;
    }
    return new PullWorker(worker);
  }

  /** Hand a page's bytes to the worker. One page at a time: the next waits for `applied`. */
  submit(bytes: ArrayBuffer): PageJob {
    if (this.dead) {
      const head = Promise.reject(this.dead);
      const applied = Promise.reject(this.dead);
      head.catch(() => undefined);
      applied.catch(() => undefined);
      return { head, applied };
    }
    if (this.pending) throw new Error('PullWorker.submit: the previous page is still being applied');
    const job = this.nextJob++;
    let resolveHead!: (h: PullHead) => void;
    let resolveApplied!: (r: PageResult) => void;
    let rejectHead!: (e: Error) => void;
    let rejectApplied!: (e: Error) => void;
    const head = new Promise<PullHead>((res, rej) => ((resolveHead = res), (rejectHead = rej)));
    const applied = new Promise<PageResult>((res, rej) => ((resolveApplied = res), (rejectApplied = rej)));
    // Whoever awaits only one of the two must not see the other's rejection as unhandled.
    head.catch(() => undefined);
    applied.catch(() => undefined);
    this.pending = {
      kind: 'page',
      job,
      resolveHead,
      resolveApplied,
      reject: (e) => {
        rejectHead(e);
        rejectApplied(e);
      },
    };
    const message: ToPullWorker = { type: 'apply', job, bytes };
    this.worker.postMessage(message, [bytes]);
    return { head, applied };
  }

  /**
   * Run a bulk load's deferred DDL (bulkLoad.ts, restoreDeferred) on the worker's connection, once
   * its pages are done: the end of a first sync need not start a thread of its own for it.
   * False when it failed (the caller runs it elsewhere; every script is idempotent).
   */
  build(ddl: string[]): Promise<boolean> {
    if (this.dead) return Promise.resolve(false);
    if (this.pending) throw new Error('PullWorker.build: a page is still being applied');
    const job = this.nextJob++;
    return new Promise<boolean>((resolve) => {
      this.pending = { kind: 'build', job, resolve };
      const message: ToPullWorker = { type: 'build', job, ddl };
      this.worker.postMessage(message);
    });
  }

  /** Let the worker finish what it is writing, close its connection and exit. */
  async close(): Promise<void> {
    if (!this.dead) {
      this.dead = new Error('The pull worker was closed.');
      const message: ToPullWorker = { type: 'close' };
      this.worker.postMessage(message);
    }
    await this.exited;
  }

  private onMessage(m: FromPullWorker): void {
    const p = this.pending;
    if (!p || !('job' in m) || m.job !== p.job) return;
    if (p.kind === 'build') {
      if (m.type === 'built') {
        this.pending = null;
        p.resolve(m.ok);
      }
      return;
    }
    if (m.type === 'head') p.resolveHead(m.head);
    else if (m.type === 'applied') {
      this.pending = null;
      p.resolveApplied({ rowsApplied: m.rowsApplied, tables: new Set<DataTable>(m.tables) });
    } else if (m.type === 'failed') {
      this.pending = null;
      p.reject(m.kind === 'internal' ? new Error(m.message) : new SyncHttpError(m.kind, m.message));
    }
  }

  private fail(e: Error): void {
    this.dead ??= e;
    const p = this.pending;
    this.pending = null;
    if (p?.kind === 'build') p.resolve(false);
    else p?.reject(e);
  }
}
