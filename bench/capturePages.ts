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
    const t0 = performance.now();
    const res = await fetch(`${args.url}/v1/sync/pull`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${args.token}`, 'accept-encoding': 'gzip' },
      body: JSON.stringify({ protocol: PROTOCOL_VERSION, clientId, databaseId: null, cursor, limit: args.limit }),
    });
    const text = await res.text();
    pageMs.push(performance.now() - t0);
    if (!res.ok) throw new Error(`pull failed: ${res.status} ${text.slice(0, 300)}`);
    if (args.saveTo) writeFileSync(join(args.saveTo, `${String(page).padStart(5, '0')}.json`), text);
    const body = JSON.parse(text) as { cursor: string; hasMore: boolean; changes: unknown[] };
    rows += body.changes.length;
    cursor = body.cursor;
    if (!body.hasMore || (args.maxPages !== undefined && page + 1 >= args.maxPages)) return { pages: page + 1, rows, pageMs };
  }
}
