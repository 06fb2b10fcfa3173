// Client side of a first sync at the "large" size: 100,000 users and 1,000,000 actions
// arriving as 5000-row pull pages. Measures what the app does with each page (JSON parse,
// validation, the SQLite writes in time-bounded slices) and the event-loop delay meanwhile.
// The network and the server are not in these numbers.   Run: npx tsx bench/syncPullApply.ts
// (USERS=… ACTIONS=… for a smaller run)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/main/db/open.js';
import { PullPageApplier } from '../src/main/sync/applyPullPage.js';
import { PullResponse } from '../src/shared/protocol.js';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';

const USERS = Number(process.env.USERS ?? 100_000);
const ACTIONS = Number(process.env.ACTIONS ?? 1_000_000);
const PAGE = 5000;

function pageJson(start: number, total: number): string {
  const changes: unknown[] = [];
  for (let i = start; i < Math.min(start + PAGE, total); i++) {
    if (i < USERS) {
      changes.push({
        table: 'user',
        op: 'upsert',
        row: { id: `usr_${i}`, email: `member${i}@example.org`, name: `Member Número ${i}`, origin: 'leeds', profile_img: null, roles: ['student'], created_at: '2026-01-01T00:00:00.000Z' },
      });
    } else {
      const a = i - USERS;
      changes.push({
        table: 'user_action',
        op: 'upsert',
        row: {
          id: `act_${a}`,
          user_id: `usr_${a % USERS}`,
          enrollment_id: null,
          action_type: 'viewed_module',
          target_type: 'module',
          target_id: `mod_${a % 40}`,
          metadata: { duration: a % 300, device: 'web' },
          source_system: 'webhook',
          source_event_id: `evt_${a}`,
          idempotency_key: `user_action:webhook:evt_${a}`,
          occurred_at: new Date(Date.UTC(2026, 0, 1) + a * 1000).toISOString(),
        },
      });
    }
  }
  const end = Math.min(start + PAGE, total);
  return JSON.stringify({ cursor: `c${end}`, hasMore: end < total, lastMutationId: 0, remaining: total - end, changes });
}

const dir = mkdtempSync(join(tmpdir(), 'afh-bench-'));
const app = openDatabase(join(dir, 'bench.sqlite'));
const applier = new PullPageApplier(app.sqlite);
const total = USERS + ACTIONS;
const envelope = PullResponse.extend({ changes: z.array(z.unknown()) });
// Event-loop delay while the client works; switched off while this script makes the next page.
const lag = monitorEventLoopDelay({ resolution: 5 });
let clientMs = 0;
const t0 = performance.now();
for (let start = 0; start < total; start += PAGE) {
  const text = pageJson(start, total); // stands in for the network: not measured
  lag.enable();
  const a = performance.now();
  const page = envelope.parse(JSON.parse(text));
  await new Promise((r) => setImmediate(r));
  await applier.applyInSlices(page);
  clientMs += performance.now() - a;
  await new Promise((r) => setImmediate(r));
  lag.disable();
}
const wall = performance.now() - t0;
const rows = (app.sqlite.prepare('SELECT (SELECT count(*) FROM user) + (SELECT count(*) FROM user_action) n').get() as { n: number }).n;
console.log(
  JSON.stringify({
    rows,
    pages: Math.ceil(total / PAGE),
    clientMs: Math.round(clientMs),
    usPerRow: Number(((clientMs * 1000) / rows).toFixed(1)),
    eventLoopDelayMaxMs: Math.round(lag.max / 1e6),
    eventLoopDelayP99Ms: Math.round(lag.percentile(99) / 1e6),
    wallIncludingPageGenerationMs: Math.round(wall),
  }),
);
app.close();
rmSync(dir, { recursive: true, force: true });
