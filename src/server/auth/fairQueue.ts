// Runs slow jobs (password hashes) a few at a time, taking turns between keys (client
// addresses): each key has its own FIFO, and a free slot goes to the waiting key served least
// recently (a key never served yet first). Thirty junk logins from one address then delay a
// login from another address by the job already running, not by all thirty
// (bench/loginUnderLoad.ts measures it). The queue never looks at what a job is for, so a login
// for an unknown email waits exactly as long as one for a real account. A key with too many jobs
// waiting, or a full queue, is refused at once (QueueFullError → 429), so waiting jobs cannot
// pile up without bound.

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many sign-in attempts are waiting.');
    this.name = 'QueueFullError';
  }
}

interface Lane {
  jobs: Array<{ start: () => void; arrived: number }>;
  running: number;
  /** When this key was last given a slot (a counter, not a clock); -1: never. */
  lastServed: number;
}

export class FairQueue {
  private running = 0;
  private waiting = 0;
  private clock = 0;
  /** Keys with jobs running or waiting. */
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly opts: { concurrency: number; maxWaitingPerKey: number; maxWaiting: number }) {}

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(key) ?? { jobs: [], running: 0, lastServed: -1 };
    this.lanes.set(key, lane);
    if (this.running < this.opts.concurrency && this.waiting === 0) return this.execute(key, lane, job);
    if (lane.jobs.length >= this.opts.maxWaitingPerKey || this.waiting >= this.opts.maxWaiting) {
      this.forgetIfIdle(key, lane);
      return Promise.reject(new QueueFullError(Math.max(1, Math.ceil(this.waiting / Math.max(1, this.opts.concurrency) / 20))));
    }
    return new Promise<T>((resolve, reject) => {
      lane.jobs.push({ start: () => void this.execute(key, lane, job).then(resolve, reject), arrived: ++this.clock });
      this.waiting++;
    });
  }

  private async execute<T>(key: string, lane: Lane, job: () => Promise<T>): Promise<T> {
    this.running++;
    lane.running++;
    lane.lastServed = ++this.clock;
    try {
      return await job();
    } finally {
      this.running--;
      lane.running--;
      this.forgetIfIdle(key, lane);
      this.next();
    }
  }

  private forgetIfIdle(key: string, lane: Lane): void {
    if (lane.running === 0 && lane.jobs.length === 0) this.lanes.delete(key);
  }

  private next(): void {
    while (this.running < this.opts.concurrency && this.waiting > 0) {
      let pick: Lane | null = null;
      for (const lane of this.lanes.values()) {
        if (lane.jobs.length === 0) continue;
        if (!pick || lane.lastServed < pick.lastServed || (lane.lastServed === pick.lastServed && lane.jobs[0]!.arrived < pick.jobs[0]!.arrived))
          pick = lane;
      }
      const job = pick!.jobs.shift()!;
      this.waiting--;
      job.start();
    }
  }
}
