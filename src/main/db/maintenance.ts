import type Database from 'better-sqlite3';

// Keeps the local file small and free of what was deleted, without stalling the app.
//
// secure_delete (db/open.ts) zeroes a deleted row where it lay. What it cannot reach:
//  - member search (user_fts) deletes by adding a "this row is gone" marker; the erased name and
//    email stay in the index's older segments until they are merged. A merge of every segment
//    (FTS5's 'optimize') drops them; done here as 'merge' with a negative size, which is the same
//    merge cut into steps of a few milliseconds.
//  - the WAL keeps old copies of pages (a member's row before the erasure) until the next
//    checkpoint overwrites it; a TRUNCATE checkpoint empties it.
//  - free pages make the file no smaller; incremental_vacuum hands them back in steps.
// A pass runs when the app has been idle for a moment after a change (never during a sync,
// whose writer it would wait behind), a step at a time with the event loop free between steps.
// Measured on the large demo set (100,000 members): merging the whole search index after a
// change takes ~35 steps of ≤15 ms on a quiet machine (~150 ms in all); reclaiming the pages
// of a member with 12,000 actions, 6 steps (~60 ms); a pass with nothing to do costs ~1 ms.

interface MaintenanceOptions {
  /** Quiet time after the last change before a pass starts. */
  idleMs?: number;
  /** True while something else writes (a sync): the pass waits for the next quiet moment. */
  isBusy?: () => boolean;
  /** Search-index merge work per step, in pages. */
  mergePages?: number;
  /** Free pages handed back per step. */
  vacuumPages?: number;
  /** Free pages tolerated before reclaiming (a little slack saves re-growing the file). */
  slackPages?: number;
  /** Time one slice of steps may take before yielding to the event loop. */
  sliceMs?: number;
  logError?: (err: unknown) => void;
}

interface MaintenanceReport {
  mergeSteps: number;
  pagesReclaimed: number;
  walTruncated: boolean;
}

type Step = 'merge' | 'vacuum' | 'checkpoint' | 'done';

export class LocalMaintenance {
  private readonly idleMs: number;
  private readonly mergePages: number;
  private readonly vacuumPages: number;
  private readonly slackPages: number;
  private readonly sliceMs: number;
  private searchDirty = true; // a start finishes whatever a crash interrupted
  private pending = true;
  private step: Step = 'merge';
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private report: MaintenanceReport = { mergeSteps: 0, pagesReclaimed: 0, walTruncated: false };
  private readonly passListeners = new Set<(r: MaintenanceReport) => void>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly opts: MaintenanceOptions = {},
  ) {
    this.idleMs = opts.idleMs ?? 2_000;
    this.mergePages = opts.mergePages ?? 64;
    this.vacuumPages = opts.vacuumPages ?? 256;
    this.slackPages = opts.slackPages ?? 64;
    this.sliceMs = opts.sliceMs ?? 10;
  }

  /** Rows changed in these tables (a sync, a local write, a reset): plan a pass for the next quiet moment. */
  noteChange(tables: readonly string[]): void {
    if (this.closed) return;
    if (tables.includes('user')) this.searchDirty = true;
    this.pending = true;
    this.step = 'merge';
    this.schedule(this.idleMs);
  }

  /** Starts the first pass (after the idle delay). */
  start(): void {
    this.schedule(this.idleMs);
  }

  /** Called with each finished pass (tests, logs). */
  onPass(l: (r: MaintenanceReport) => void): () => void {
    this.passListeners.add(l);
    return () => this.passListeners.delete(l);
  }

  /** Runs what is pending to the end, now (on close, so a clean shutdown leaves a clean file). */
  runPending(): MaintenanceReport {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.pending && this.runStep()) {
      // keep going
    }
    return this.finishPass();
  }

  /** Stops scheduling; with `finish`, first runs what is pending. */
  close(opts: { finish?: boolean } = {}): void {
    if (this.closed) return;
    if (opts.finish && this.pending && this.sqlite.open) {
      try {
        this.runPending();
      } catch (err) {
        this.opts.logError?.(err);
      }
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.slice(), ms);
    this.timer.unref?.();
  }

  private slice(): void {
    this.timer = null;
    if (this.closed || !this.pending || !this.sqlite.open) return;
    if (this.opts.isBusy?.()) {
      this.schedule(this.idleMs);
      return;
    }
    const until = performance.now() + this.sliceMs;
    try {
      while (this.pending && performance.now() < until) {
        if (!this.runStep()) break;
      }
    } catch (err) {
      // Maintenance is best effort: a busy or locked file is retried at the next quiet moment.
      this.opts.logError?.(err);
      this.schedule(this.idleMs);
      return;
    }
    if (!this.pending) {
      this.finishPass();
      return;
    }
    this.schedule(0);
  }

  /** One bounded step; false once the pass is over. */
  private runStep(): boolean {
    switch (this.step) {
      case 'merge': {
        if (!this.searchDirty || !this.mergeSearchIndex()) {
          this.searchDirty = false;
          this.step = 'vacuum';
        }
        return true;
      }
      case 'vacuum': {
        if (!this.reclaimFreePages()) this.step = 'checkpoint';
        return true;
      }
      case 'checkpoint': {
        this.report.walTruncated = this.truncateWal();
        this.step = 'done';
        this.pending = false;
        return false;
      }
      case 'done':
        this.pending = false;
        return false;
    }
  }

  /** One slice of an optimize-style merge of user_fts; false when there was nothing left to merge. */
  private mergeSearchIndex(): boolean {
    const before = this.totalChanges();
    this.sqlite.prepare("INSERT INTO user_fts (user_fts, rank) VALUES ('merge', ?)").run(-this.mergePages);
    // FTS5 counts a step that did work as more than one change.
    const worked = this.totalChanges() - before >= 2;
    if (worked) this.report.mergeSteps++;
    return worked;
  }

  /** Hands back up to vacuumPages free pages; false when the free list is within the slack. */
  private reclaimFreePages(): boolean {
    const free = this.sqlite.pragma('freelist_count', { simple: true }) as number;
    if (free <= this.slackPages) return false;
    this.sqlite.pragma(`incremental_vacuum(${Math.min(free, this.vacuumPages)})`);
    const after = this.sqlite.pragma('freelist_count', { simple: true }) as number;
    this.report.pagesReclaimed += free - after;
    return after < free;
  }

  /** Empties the WAL if no one else is using it right now; never waits for them. */
  private truncateWal(): boolean {
    const timeout = this.sqlite.pragma('busy_timeout', { simple: true }) as number;
    this.sqlite.pragma('busy_timeout = 0');
    try {
      const [r] = this.sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return r?.busy === 0;
    } finally {
      this.sqlite.pragma(`busy_timeout = ${Number(timeout)}`);
    }
  }

  private totalChanges(): number {
    return (this.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  }

  private finishPass(): MaintenanceReport {
    const report = this.report;
    this.report = { mergeSteps: 0, pagesReclaimed: 0, walTruncated: false };
    this.step = 'merge';
    for (const l of this.passListeners) l(report);
    return report;
  }
}
