import { serverUrlProblem } from '../../shared/serverUrl.js';
import type { SyncStatus } from '../../shared/ipc.js';
import { LocalMaintenance } from '../db/maintenance.js';
import { openDatabase } from '../db/open.js';
import { recordNotice } from '../localData/notices.js';
import { removeDatabaseFiles } from '../localData/wipe.js';
import { DATA_TABLES, type DataTable } from '../../shared/rows.js';
import { REVOKED_MESSAGES } from '../sync/session.js';
import { composeSync, type ComposeSyncOptions, type SyncParts } from './composeSync.js';
import type { EventBus } from './eventBus.js';

export interface LiveRuntimeOptions extends Omit<ComposeSyncOptions, 'pullLimit'> {
  /** The local database file; a reset deletes it and opens a new one there. */
  dbFile: string;
  migrationsFolder?: string;
  maintenanceIdleMs?: number;
  autoStart: boolean;
  bus: EventBus;
  /** Every sync status, before the host hears it (reachability follows it). */
  observeStatus: (status: SyncStatus) => void;
  logError: (where: string, err: unknown) => void;
}

/**
 * The core's open database and its sync parts, which a reset swaps for a fresh set: the one
 * holder of "the current runtime", its housekeeping and its event wiring. Calls made during a
 * swap wait for it; after close nothing reopens.
 */
export class LiveRuntime {
  private parts: SyncParts;
  private maintenance!: LocalMaintenance;
  private unsubscribe: Array<() => void> = [];
  private syncing = false;
  private closed = false;
  private resetting: Promise<void> | null = null;
  constructor(private readonly opts: LiveRuntimeOptions) {
    this.parts = this.open();
    this.wire();
  }

  get current(): SyncParts {
    return this.parts;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A change made on this laptop: tidy the file later, tell the host, and sync soon. */
  noteLocalChange(tables: DataTable[]): void {
    this.maintenance.noteChange(tables);
    this.opts.bus.emit('data.changed', { tables });
    this.parts.engine.notifyLocalChange();
  }

  /** Remove this laptop's data and start over empty; concurrent requests share one reset. */
  reset(notice?: string): Promise<void> {
    if (this.resetting) return this.resetting;
    this.resetting = this.replaceWithEmpty(notice).finally(() => {
      this.resetting = null;
    });
    return this.resetting;
  }

  /** Resolves once no reset is in progress (whatever its outcome). */
  async settled(): Promise<void> {
    if (this.resetting) await this.resetting.catch(() => undefined);
  }

  /** No reset starts after this; one in progress is waited for. */
  async beginClose(): Promise<void> {
    this.closed = true;
    await this.settled();
  }

  /** Stops syncing (a running sync transaction finishes) and closes the database. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwire();
    await this.parts.engine.stop();
    // Whatever a last sync deleted leaves the file before the process goes.
    this.maintenance.close({ finish: true });
    this.parts.app.close();
  }

  private open(): SyncParts {
    const { opts } = this;
    const app = openDatabase(this.opts.dbFile, {
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
      ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {}),
      log: (line) => console.log(line),
    });
    try {
      return composeSync(app, opts);
    } catch (err) {
      app.close();
      throw err;
    }
  }

  private wire(): void {
    const { bus, logError } = this.opts;
    const rt = this.parts;
    this.maintenance = new LocalMaintenance(rt.app.sqlite, {
      isBusy: () => this.syncing,
      ...(this.opts.maintenanceIdleMs !== undefined ? { idleMs: this.opts.maintenanceIdleMs } : {}),
      logError: (err) => logError('local maintenance', err),
    });
    this.maintenance.start();
    this.unsubscribe = [
      rt.engine.onStatus((s) => {
        this.syncing = s.phase === 'pushing' || s.phase === 'pulling';
        this.opts.observeStatus(s);
        bus.emit('sync.status', s);
      }),
      rt.engine.onDataChanged((tables) => {
        this.maintenance.noteChange(tables);
        bus.emit('data.changed', { tables });
      }),
      // A revoked device or a lost coordinator role: this laptop's data goes, and the app says why.
      // Deferred, since the engine reporting it is still inside its run (the reset stops the engine).
      rt.session.onRevoked((reason) => {
        setImmediate(() => {
          if (this.closed) return;
          this.reset(REVOKED_MESSAGES[reason]).catch((err: unknown) => logError('removing local data', err));
        });
      }),
      rt.session.onChange((s) => {
        bus.emit('auth.changed', s);
        bus.emit('sync.status', rt.engine.status());
      }),
    ];
  }

  private unwire(): void {
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
  }

  private async replaceWithEmpty(notice?: string): Promise<void> {
    const old = this.parts;
    const serverUrl = old.session.serverUrl();
    this.unwire();
    this.maintenance.close();
    await old.engine.stop();
    old.app.close();
    // A reset also signs out: the token belongs to the data being erased.
    this.opts.tokenStore.clear();
    removeDatabaseFiles(this.opts.dbFile);
    this.parts = this.open();
    // Said in the new, empty database: the coordinator sees why their data went (AuthStatus.notice).
    if (notice) recordNotice(this.parts.app.sqlite, 'data_wiped', new Date(), notice);
    // An address the app no longer accepts (plain http:// to another machine) is not carried over.
    if (serverUrl && !this.opts.serverUrl && serverUrlProblem(serverUrl) === null) this.parts.session.setServerUrl(serverUrl);
    this.wire();
    if (this.opts.autoStart && !this.closed) this.parts.engine.start();
    this.announceAll();
  }

  /** After a swap, the host hears everything anew: who is signed in, the sync state, and that every table changed. */
  private announceAll(): void {
    const { bus } = this.opts;
    bus.emit('auth.changed', this.parts.session.authStatus());
    bus.emit('sync.status', this.parts.engine.status());
    bus.emit('data.changed', { tables: [...DATA_TABLES] });
  }
}
