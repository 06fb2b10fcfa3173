import type { SyncStatus } from '../../shared/ipc.js';

// Whether the app is "online" = the host sees a network AND the server answers. The OS (or
// the page) can say "online" on a captive portal or with the server down; the sync engine's
// network failures are what reveal that. While the server is unreachable the engine is told
// "offline" (so it stops hammering it) and this monitor probes GET /v1/health with backoff;
// the first answer puts the engine back online, which syncs at once. While reachable, a
// slow periodic probe notices a server that went away while nothing was syncing.

export interface ReachabilityOptions {
  /** Resolves true when the server answers its health check. */
  probe: () => Promise<boolean>;
  /** Receives every change of the combined view. */
  apply: (online: boolean) => void;
  /** Whether there is a server to probe at all (a server URL is set and someone is signed in). */
  enabled: () => boolean;
  firstRetryMs?: number;
  maxRetryMs?: number;
  healthyIntervalMs?: number;
}

export class Reachability {
  private hostOnline = true;
  private serverReachable = true;
  private applied: boolean | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryMs: number;
  private probing = false;
  private closed = false;

  constructor(private readonly opts: ReachabilityOptions) {
    this.retryMs = opts.firstRetryMs ?? 2_000;
  }

  get online(): boolean {
    return this.hostOnline && this.serverReachable;
  }

  start(): void {
    this.push();
    this.schedule(this.opts.healthyIntervalMs ?? 30_000);
  }

  setHostOnline(online: boolean): void {
    this.hostOnline = online;
    this.push();
    // Back on a network: find out about the server now rather than at the next tick.
    if (online) this.schedule(0);
  }

  /** Feed every engine status: a network failure while "online" means the server is unreachable. */
  observe(status: SyncStatus): void {
    if (status.phase === 'offline' && status.online && this.hostOnline && this.serverReachable) {
      this.serverReachable = false;
      this.retryMs = this.opts.firstRetryMs ?? 2_000;
      this.push();
      this.schedule(this.retryMs);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private push(): void {
    const online = this.online;
    if (online === this.applied) return;
    this.applied = online;
    this.opts.apply(online);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.closed || this.probing) return;
    if (!this.hostOnline || !this.opts.enabled()) {
      // Nothing to probe (no network, or no server/sign-in): the server is not the problem.
      this.serverReachable = true;
      this.push();
      this.schedule(this.opts.healthyIntervalMs ?? 30_000);
      return;
    }
    this.probing = true;
    let ok = false;
    try {
      ok = await this.opts.probe();
    } catch {
      ok = false;
    } finally {
      this.probing = false;
    }
    if (this.closed) return;
    if (ok) {
      this.serverReachable = true;
      this.retryMs = this.opts.firstRetryMs ?? 2_000;
      this.push();
      this.schedule(this.opts.healthyIntervalMs ?? 30_000);
    } else {
      this.serverReachable = false;
      this.push();
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, this.opts.maxRetryMs ?? 60_000);
    }
  }
}

/** GET <server>/v1/health with a short timeout. */
export async function probeHealth(serverUrl: string, f: typeof fetch = fetch): Promise<boolean> {
  try {
    // A redirect is not the server answering (protocolClient.ts follows none either).
    const res = await f(`${serverUrl.replace(/\/+$/, '')}/v1/health`, { signal: AbortSignal.timeout(5_000), redirect: 'manual' });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
