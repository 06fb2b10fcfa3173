// `npx tsx bench/pagesSideBySide.ts <base url> <other url> [rounds]`
// Server pull-page latency of item 10 (docs/benchmarks.md) for two servers at once, e.g. two
// builds over copies of the same data set: on a machine shared with other work, runs taken one
// after the other wander more than the difference measured. Four page streams (the scoped
// coordinator's first sync and the first 60 unscoped pages, on each server) take one request
// each in turn, so every figure sees the same load. Prints one JSON line.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';
import { login, SCOPED_COORDINATOR } from './serverProcess.js';
import { round, summarize } from './stats.js';

const [baseUrl, otherUrl, rounds = '3'] = process.argv.slice(2);
if (!baseUrl || !otherUrl) throw new Error('usage: pagesSideBySide.ts <base url> <other url> [rounds]');

interface Stream {
  name: string;
  url: string;
  token: string;
  clientId: string;
  cursor: string | null;
  done: boolean;
  pages: number;
  maxPages: number;
}

const stream = async (name: string, url: string, scoped: boolean): Promise<Stream> => ({
  name,
  url,
  token: await login(url, scoped ? SCOPED_COORDINATOR : undefined),
  clientId: randomUUID(),
  cursor: null,
  done: false,
  pages: 0,
  maxPages: scoped ? Infinity : 60,
});

const samples: Record<string, number[]> = {};
for (let r = 0; r < Number(rounds); r++) {
  const streams = [
    await stream('base scoped', baseUrl, true),
    await stream('other scoped', otherUrl, true),
    await stream('base all', baseUrl, false),
    await stream('other all', otherUrl, false),
  ];
  // Alternate who goes first, so neither server always follows the other's page.
  if (r % 2) streams.reverse();
  while (streams.some((s) => !s.done)) {
    for (const s of streams.filter((x) => !x.done)) {
      const t0 = performance.now();
      const res = await fetch(`${s.url}/v1/sync/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ protocol: PROTOCOL_VERSION, clientId: s.clientId, databaseId: null, cursor: s.cursor, limit: 5000 }),
      });
      const text = await res.text();
      (samples[s.name] ??= []).push(performance.now() - t0);
      if (!res.ok) throw new Error(`pull failed: ${res.status} ${text.slice(0, 300)}`);
      const body = JSON.parse(text) as { cursor: string; hasMore: boolean };
      s.cursor = body.cursor;
      s.pages++;
      s.done = !body.hasMore || s.pages >= s.maxPages;
    }
  }
}
const p50 = (k: string) => summarize(samples[k] ?? []).p50;
const out: Record<string, unknown> = {};
for (const [k, v] of Object.entries(samples)) {
  const p = summarize(v);
  out[k] = { p50: round(p.p50, 1), p95: round(p.p95, 1), n: p.n };
}
out.ratioBase = round(p50('base scoped') / p50('base all'), 2);
out.ratioOther = round(p50('other scoped') / p50('other all'), 2);
process.stdout.write(`${JSON.stringify(out)}\n`);
