import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/server/db/database.js';
import { expansionPage, highestVisibleSeq } from '../src/server/sync/scopedPull.js';
import { pageChangesJson } from '../src/server/sync/pullPage.js';
let db: any; async function open() { db = await openDatabase('/tmp/pgl-explain'); }
async function main() { for (let rep = 0; rep < 2; rep++) await db.read(async (tx) => {
  const n = await tx.rows<{ n: number }>(sql`SELECT count(*)::int n FROM scope_member WHERE coordinator_id = 'usr_demo_coordinator'`);
  console.log('members', n);
  let after = '';
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const p = await expansionPage(tx, 'usr_demo_coordinator', after, 5000, i === 0);
    console.log('page', i, (performance.now() - t0).toFixed(0), 'ms', p.changes.length, p.more, p.remaining);
    after = p.lastMember;
    if (!p.more) break;
  }
}); await db.close(); }
open().then(main);
