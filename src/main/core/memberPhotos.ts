// Member photos, fetched by the core instead of the page. Pictures live on the platform's
// servers; a page loading them itself fails loudly whenever the laptop is offline (a console
// error per picture) and shows a broken image. Here a photo is fetched only while online,
// kept in memory, and handed to the page as a data: URL; a failure is remembered for a while
// and the page shows the member's initials, quietly.

const MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 5_000;
const FAILURE_TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 500;
const IMAGE_TYPES = /^image\/(png|jpeg|gif|webp|avif)$/;

type Entry = { dataUrl: string | null; at: number };

export interface MemberPhotosOptions {
  fetch?: typeof fetch;
  /** Whether the app can reach the network now (the core's combined view). */
  online: () => boolean;
  now?: () => number;
}

export class MemberPhotos {
  private readonly cache = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<string | null>>();

  constructor(private readonly opts: MemberPhotosOptions) {}

  /** The photo at `url` as a data: URL, or null (no photo, offline, not an image, too big, unreachable). */
  async get(url: string | null): Promise<string | null> {
    if (!url || !/^https:\/\//.test(url)) return null;
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(url);
    if (hit && (hit.dataUrl !== null || now - hit.at < FAILURE_TTL_MS)) return hit.dataUrl;
    if (!this.opts.online()) return null;
    let running = this.inFlight.get(url);
    if (!running) {
      running = this.load(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, running);
    }
    const dataUrl = await running;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(url, { dataUrl, at: now });
    return dataUrl;
  }

  private async load(url: string): Promise<string | null> {
    try {
      const res = await (this.opts.fetch ?? fetch)(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
      const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      const length = Number(res.headers.get('content-length') ?? 0);
      if (!res.ok || !IMAGE_TYPES.test(type) || length > MAX_BYTES || (res.url !== '' && !res.url.startsWith('https://'))) {
        await res.body?.cancel();
        return null;
      }
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > MAX_BYTES) return null;
      return `data:${type};base64,${body.toString('base64')}`;
    } catch {
      return null;
    }
  }
}
