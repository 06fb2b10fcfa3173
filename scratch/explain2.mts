import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/server/db/database.js';
async function main() {
  const db = await openDatabase('/tmp/pgl-explain');
  await db.read(async (tx) => {
    const ms = (await tx.rows<{ member_id: string }>(sql`SELECT member_id FROM scope_member WHERE coordinator_id = 'usr_demo_coordinator' ORDER BY member_id LIMIT 17 OFFSET 41`)).map((r) => r.member_id);
    const up = (t: string, a: string) => sql.raw(`'{"table":"${t}","op":"upsert","row":' || ${a}.wire || '}'`);
    const q = sql`EXPLAIN (ANALYZE, BUFFERS) WITH ex AS (SELECT k::bigint AS k, member_id FROM jsonb_array_elements_text(${JSON.stringify(ms)}::jsonb) WITH ORDINALITY AS x(member_id, k))
      SELECT '[' || coalesce(string_agg(p.c, ',' ORDER BY p.k, p.ord, p.sub), '') || ']' FROM (
      SELECT ex.k, 1 AS ord, u.seq AS sub, ${up('user', 'u')} AS c FROM ex JOIN "user" u ON u.id = ex.member_id
      UNION ALL SELECT ex.k, 5, a.seq, ${up('user_action', 'a')} FROM ex JOIN user_action a ON a.user_id = ex.member_id) p`;
    for (const r of await tx.rows<Record<string, string>>(q)) console.log(Object.values(r)[0]);
    const q2 = sql`EXPLAIN (ANALYZE) SELECT '[' || coalesce(string_agg(p.c, ',' ORDER BY p.seq), '') || ']' FROM (SELECT seq, '{"table":"user_action","op":"upsert","row":' || wire || '}' AS c FROM user_action WHERE seq > 1000 AND seq <= 6000) p`;
    for (const r of await tx.rows<Record<string, string>>(q2)) console.log(Object.values(r)[0]);
  });
  await db.close();
}
main();
