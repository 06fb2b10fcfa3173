import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SyncStatus } from '../../shared/ipc.js';

// Whether the app is "online" = the host sees a network AND the server answers. The OS (or
// the page) can say "online" on a captive portal or with the server down; the sync engine's
// network failures are what reveal that. While the server is unreachable the engine is told
// "offline" (so it stops hammering it) and this monitor probes GET /v1/health with backoff;
// the first answer puts the engine back online, which syncs at once. While reachable, a
// slow periodic probe notices a server that went away while nothing was syncing.
//
// Waiting for that slow probe left the app saying "Online" for half a minute after the server
// had stopped. So while the server is reachable the monitor also keeps one idle keep-alive
// connection to it (`watch`): a server that stops or restarts closes it, which the operating
// system reports at once, and a probe then tells which it was. That notices a stopped server
// within a second or two without polling: an idle socket costs nothing, and it is only re-opened
// when the server closes it (its keep-alive timeout, about a minute), at most every few seconds.

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
  /**
   * Holds a connection to the server and calls `onDrop` once when it closes; returns a function
   * that lets it go. Absent: only the periodic probe notices a server that went away.
   */
  watch?: (onDrop: () => void) => () => void;
  /** The soonest a dropped watch is re-opened after the last one was. */
  minWatchIntervalMs?: number;
}

export class Reachability {
  private hostOnline = true;
  private serverReachable = true;
  private applied: boolean | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryMs: number;
  private probing = false;
  private closed = false;
  private unwatch: (() => void) | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private watchOpenedAt = Number.NEGATIVE_INFINITY;
  private watchGeneration = 0;

  constructor(private readonly opts: ReachabilityOptions) {
    this.retryMs = opts.firstRetryMs ?? 2_000;
  }

  get online(): boolean {
    return this.hostOnline && this.serverReachable;
  }

  start(): void {
    this.push();
    this.schedule(this.opts.watch ? 0 : (this.opts.healthyIntervalMs ?? 30_000));
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
    this.stopWatch();
  }

  private stopWatch(): void {
    this.watchGeneration++;
    if (this.watchTimer) clearTimeout(this.watchTimer);
    this.watchTimer = null;
    const stop = this.unwatch;
    this.unwatch = null;
    stop?.();
  }

  /** While reachable, hold a connection; its closing asks for a probe now rather than at the next tick. */
  private startWatch(): void {
    const watch = this.opts.watch;
    if (!watch || this.unwatch || this.watchTimer || this.closed) return;
    // A server that closes every idle connection at once must not make this a busy loop.
    const wait = this.watchOpenedAt + (this.opts.minWatchIntervalMs ?? 3_000) - Date.now();
    if (wait > 0) {
      this.watchTimer = setTimeout(() => {
        this.watchTimer = null;
        if (this.online) this.startWatch();
      }, wait);
      this.watchTimer.unref?.();
      return;
    }
    this.watchOpenedAt = Date.now();
    const generation = ++this.watchGeneration;
    let dropped = false;
    const stop = watch(() => {
      if (dropped || generation !== this.watchGeneration || this.closed) return;
      dropped = true;
      this.unwatch = null;
      this.schedule(0);
    });
    if (!dropped) this.unwatch = stop;
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
      this.stopWatch();
      this.serverReachable = true;
      this.push();
      this.schedule(this.opts.healthyIntervalMs ?? 30_000);
      return;
    }
    this.probing = true;
    let ok: boolean;
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
      this.startWatch();
    } else {
      this.serverReachable = false;
      this.stopWatch();
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

/**
 * Holds one idle keep-alive connection to `<server>/v1/health` and calls `onDrop` once when it
 * closes (the server stopped, restarted, or timed the idle connection out) or cannot be opened.
 */
export function watchServerConnection(serverUrl: string, onDrop: () => void): () => void {
  const url = new URL(`${serverUrl.replace(/\/+$/, '')}/v1/health`);
  const https = url.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  let done = false;
  const drop = () => {
    if (done) return;
    done = true;
    agent.destroy();
    onDrop();
  };
  const req = (https ? httpsRequest : httpRequest)(url, { agent, method: 'GET', timeout: 5_000 }, (res) => {
    res.resume();
    if (res.statusCode !== 200) drop();
  });
  req.on('socket', (socket) => {
    socket.once('close', drop);
    // Idle in the agent's pool, the socket must not keep the process alive on its own.
    socket.unref();
  });
  req.on('timeout', () => req.destroy());
  req.on('error', drop);
  req.end();
  return () => {
    done = true;
    agent.destroy();
  };
}
