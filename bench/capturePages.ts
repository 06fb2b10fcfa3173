import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';

// Pulls the whole data set as a brand-new client would, timing each page request (server
// pull-page latency) and, when `saveTo` is given, keeping each raw body for the floor run.

export interface PullTiming {
  pages: number;
  rows: number;
  pageMs: number[];
}

export async function pullAllPages(args: { url: string; token: string; limit: number; saveTo?: string; maxPages?: number }): Promise<PullTiming> {
  if (args.saveTo) {
    rmSync(args.saveTo, { recursive: true, force: true });
    mkdirSync(args.saveTo, { recursive: true });
  }
  const clientId = randomUUID();
  let cursor: string | null = null;
  const pageMs: number[] = [];
  let rows = 0;
  for (let page = 0; ; page++) {
    const { text, ms } = await requestPage(args.url, args.token, clientId, cursor, args.limit);
    pageMs.push(ms);
    if (args.saveTo) writeFileSync(join(args.saveTo, `${String(page).padStart(5, '0')}.json`), text);
    const body = JSON.parse(text) as { cursor: string; hasMore: boolean; changes: unknown[] };
    rows += body.changes.length;
    cursor = body.cursor;
    if (!body.hasMore || (args.maxPages !== undefined && page + 1 >= args.maxPages)) return { pages: page + 1, rows, pageMs };
  }
}

/** One pull request as a new client makes it; the time is until the whole body is in. */
async function requestPage(
  url: string,
  token: string,
  clientId: string,
  cursor: string | null,
  limit: number,
): Promise<{ text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/v1/sync/pull`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, clientId, databaseId: null, cursor, limit }),
  });
  const text = await res.text();
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`pull failed: ${res.status} ${text.slice(0, 300)}`);
  return { text, ms };
}

/**
 * Scoped and unscoped pages side by side on one server, one request each in turn: the scoped
 * coordinator's first sync `passes` times over, and an unscoped first sync (started again when it
 * ends) for as many pages, so both figures see the same server state and the same load. Pages
 * timed at different moments of a run (item 7 is the first thing a run measures) differ by
 * more than the ratio being judged.
 */
export async function pullInterleaved(args: { url: string; scopedToken: string; allToken: string; limit: number; passes: number }): Promise<{
  scopedMs: number[];
  allMs: number[];
}> {
  const scopedMs: number[] = [];
  const allMs: number[] = [];
  const all = { clientId: randomUUID(), cursor: null as string | null };
  for (let pass = 0; pass < args.passes; pass++) {
    const scoped = { clientId: randomUUID(), cursor: null as string | null };
    for (let more = true; more;) {
      const s = await requestPage(args.url, args.scopedToken, scoped.clientId, scoped.cursor, args.limit);
      scopedMs.push(s.ms);
      const sb = JSON.parse(s.text) as { cursor: string; hasMore: boolean };
      scoped.cursor = sb.cursor;
      more = sb.hasMore;
      const a = await requestPage(args.url, args.allToken, all.clientId, all.cursor, args.limit);
      allMs.push(a.ms);
      const ab = JSON.parse(a.text) as { cursor: string; hasMore: boolean };
      if (ab.hasMore) all.cursor = ab.cursor;
      else Object.assign(all, { clientId: randomUUID(), cursor: null });
    }
  }
  return { scopedMs, allMs };
}
