import { sql, type SQL } from 'drizzle-orm';
import { SYNC_TABLES, type SyncTable } from '../../shared/rows.js';
import type { Tx } from '../db/database.js';
import { tableIdent } from '../db/storedWire.js';

// Pull pages for a coordinator scoped by cohort (issue 13; docs/protocol.md "Scopes", and the
// argument "no row skipped, none left behind" there). Two kinds of page:
//
// - expansion (the first sync): every cohort, then the whole record of each member in scope, in
//   member-id order, a page's worth of members at a time, from the page's snapshot. The cursor
//   remembers the seq the expansion started from; once every member is out, the change order
//   picks up there (anything newer than that point comes again, as an idempotent upsert).
// - the change order, filtered: cohort rows and tombstones for everyone (no personal data: ids
//   and community names), this coordinator's scope events, and row changes of members who are in
//   scope in the page's snapshot. An `enter` event brings the member's whole record at its
//   place in the order; a `leave` event tells the laptop to forget the member.

/** The changes of a page's parts as one JSON array text, in (k, ord, sub) order. */
const aggregate = (parts: SQL[]): SQL =>
  sql`SELECT '[' || coalesce(string_agg(p.c, ',' ORDER BY p.k, p.ord, p.sub), '') || ']' AS changes FROM (${sql.join(parts, sql` UNION ALL `)}) p`;

/**
 * A member's rows as JSON change texts, for the members in `ex(k, member_id)`, ordered by (k, ord, sub).
 * Each table is read per member through its user_id index: `LATERAL (… OFFSET 0)` keeps the
 * planner from flattening it into a hash join, which (misjudging a handful of members as a
 * hundred) read the whole user_action table for every page.
 *
 * `champion` has no plain user_id index, only the two partial unique ones (a member's champion
 * row per cohort, and their one global row). `user_id = x` alone matches neither, so the planner
 * scanned the whole table once per member (over 80% of an expansion page on the large set);
 * asking for each half by its partial index's own condition reads the two indexes instead. The
 * champion rows are found once (`ex_champion`) and their history read by champion id: looking
 * the members' champion rows up a second time for the history cost ~3 ms of a page.
 */
const expansionOf = (members: SQL, extra: SQL[] = []): SQL => {
  const up = (t: SyncTable, alias: string) => sql.raw(`'{"table":"${t}","op":"upsert","row":' || ${alias}.wire || '}'`);
  const per = (table: string, alias: string, where: string) =>
    sql.raw(`JOIN LATERAL (SELECT ${alias}.seq, ${alias}.wire FROM ${table} ${alias} WHERE ${where} OFFSET 0) ${alias} ON true`);
  const cards = sql.raw(
    `SELECT id, seq, wire FROM champion WHERE user_id = ex.member_id AND cohort_id IS NOT NULL
     UNION ALL SELECT id, seq, wire FROM champion WHERE user_id = ex.member_id AND cohort_id IS NULL`,
  );
  const parts = [
    sql`SELECT ex.k, 1 AS ord, u.seq AS sub, ${up('user', 'u')} AS c FROM ex ${per('"user"', 'u', 'u.id = ex.member_id')}`,
    sql`SELECT ex.k, 2, e.seq, ${up('enrollment', 'e')} FROM ex ${per('enrollment', 'e', 'e.user_id = ex.member_id')}`,
    sql`SELECT ch.k, 3, ch.seq, ${up('champion', 'ch')} FROM ex_champion ch`,
    sql`SELECT ch.k, 4, s.seq, ${up('champion_stage_change', 's')} FROM ex_champion ch ${per('champion_stage_change', 's', 's.champion_id = ch.id')}`,
    sql`SELECT ex.k, 5, a.seq, ${up('user_action', 'a')} FROM ex ${per('user_action', 'a', 'a.user_id = ex.member_id')}`,
    ...extra,
  ];
  return sql`WITH ex AS (${members}),
             ex_champion AS (SELECT ex.k, ch.id, ch.seq, ch.wire FROM ex JOIN LATERAL (${cards} OFFSET 0) ch ON true)
             ${aggregate(parts)}`;
};

/**
 * Members sized in a page's first round: a guess at ~8 rows a member (the large demo set averages
 * ~15), doubled each further round while the page is not full. A candidate's size is one lookup
 * in member_row_count, so an unused candidate costs little; candidates are still taken in rounds
 * so that a page of a few big members does not read a thousand.
 */
const FIRST_ROUND_ROWS_A_MEMBER = 8;
const MAX_MEMBERS_A_ROUND = 1000;

/** Who owns a row of each member table, as a condition on that table's columns. */
const memberFilter = (t: SyncTable, coordinatorId: string): SQL | null => {
  const inScope = (col: string) => sql`${sql.raw(col)} IN (SELECT member_id FROM scope_member WHERE coordinator_id = ${coordinatorId})`;
  switch (t) {
    case 'cohort':
      return null;
    case 'user':
      return inScope('id');
    case 'champion_stage_change':
      return sql`champion_id IN (SELECT id FROM champion WHERE ${inScope('user_id')})`;
    default:
      return inScope('user_id');
  }
};

const rangeOf = (from: bigint, to: bigint | null): SQL =>
  to === null ? sql`seq > ${from.toString()}::bigint` : sql`seq > ${from.toString()}::bigint AND seq <= ${to.toString()}::bigint`;

const where = (range: SQL, extra: SQL | null): SQL => (extra ? sql`${range} AND ${extra}` : range);

/** Where a filtered page ends: the `limit`-th of the next delivered seqs, and whether one more exists. */
export const scopedPageBounds = (from: bigint, limit: number, coordinatorId: string): SQL => {
  const take = limit + 1;
  const range = rangeOf(from, null);
  const parts = [
    ...SYNC_TABLES.map(
      (t) => sql`(SELECT seq FROM ${tableIdent(t)} WHERE ${where(range, memberFilter(t, coordinatorId))} ORDER BY seq LIMIT ${take})`,
    ),
    sql`(SELECT seq FROM tombstone WHERE ${range} ORDER BY seq LIMIT ${take})`,
    sql`(SELECT seq FROM scope_event WHERE coordinator_id = ${coordinatorId} AND ${range} ORDER BY seq LIMIT ${take})`,
  ];
  return sql`SELECT count(*)::int AS n, (max(seq) FILTER (WHERE rn <= ${limit}))::text AS up_to
             FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn
                   FROM (SELECT seq FROM (${sql.join(parts, sql` UNION ALL `)}) s ORDER BY s.seq LIMIT ${take}) c) b`;
};

/** The filtered change order in (from, to] as one JSON array text, enter events expanded in place. */
export const scopedPageChangesJson = (from: bigint, to: bigint, coordinatorId: string): SQL => {
  const range = rangeOf(from, to);
  const parts = [
    ...SYNC_TABLES.map(
      (t) =>
        sql`SELECT seq AS k, 0 AS ord, 0::bigint AS sub, ${sql.raw(`'{"table":"${t}","op":"upsert","row":'`)} || wire || '}' AS c
            FROM ${tableIdent(t)} WHERE ${where(range, memberFilter(t, coordinatorId))}`,
    ),
    sql`SELECT seq, 0, 0::bigint, '{"table":' || to_json(table_name)::text || ',"op":"delete","id":' || to_json(row_id)::text || '}' FROM tombstone WHERE ${range}`,
    sql`SELECT seq, 0, 0::bigint, '{"op":"' || kind || '","userId":' || to_json(member_id)::text || '}' FROM scope_event
        WHERE coordinator_id = ${coordinatorId} AND ${range}`,
  ];
  return expansionOf(sql`SELECT seq AS k, member_id FROM scope_event WHERE coordinator_id = ${coordinatorId} AND kind = 'enter' AND ${range}`, parts);
};

/**
 * The highest seq this snapshot sees. Writers take seqs under one lock and hold it to commit, so
 * every seq at or below it that will ever commit is already visible here: the point an
 * expansion starts from, after which the change order carries on.
 */
export async function highestVisibleSeq(tx: Tx): Promise<bigint> {
  const tables = [...SYNC_TABLES.map((t) => tableIdent(t)), sql.raw('tombstone'), sql.raw('scope_event')];
  const r = await tx.rows<{ top: string | null }>(
    sql`SELECT GREATEST(${sql.join(
      tables.map((t) => sql`(SELECT max(seq) FROM ${t})`),
      sql`, `,
    )})::text AS top`,
  );
  return BigInt(r[0]?.top ?? '0');
}

/**
 * One page of a first scoped sync: every cohort on the first page, then whole members after
 * `after` in id order while they fit in `limit` rows (at least one: a member is never split
 * across pages, so one with more rows than `limit` makes a page of its own).
 */
export async function expansionPage(
  tx: Tx,
  coordinatorId: string,
  after: string,
  limit: number,
  withCohorts: boolean,
  membersLeft?: number,
): Promise<{ changes: Buffer; lastMember: string; more: boolean; remaining: number; membersLeft: number }> {
  const picked = await pickMembers(tx, coordinatorId, after, limit);
  const members = picked.members;
  const cohorts = withCohorts ? [sql`SELECT 0::bigint, 0, seq, '{"table":"cohort","op":"upsert","row":' || wire || '}' FROM cohort`] : [];
  const changes = await tx.textBytes(
    expansionOf(
      sql`SELECT k::bigint AS k, member_id FROM jsonb_array_elements_text(${JSON.stringify(members)}::jsonb) WITH ORDINALITY AS x(member_id, k)`,
      cohorts,
    ),
  );
  const lastMember = members[members.length - 1] ?? after;
  const more = picked.more;
  let remaining = 0;
  let left = 0;
  if (more) {
    // For a progress bar (and the app's choice of a worker for a long pull): members still to
    // come, at this page's rows per member. Counted on the first page only; later pages carry
    // the count down in the cursor (a page's count cost ~4 ms, most of a page's difference
    // from an unscoped one).
    left =
      membersLeft !== undefined
        ? Math.max(1, membersLeft - members.length)
        : ((
            await tx.rows<{ n: number }>(
              sql`SELECT count(*)::int AS n FROM scope_member WHERE coordinator_id = ${coordinatorId} AND member_id > ${lastMember}`,
            )
          )[0]?.n ?? 1);
    remaining = Math.max(1, Math.round(left * (limit / Math.max(1, members.length))));
  }
  return { changes: changes ?? Buffer.from('[]'), lastMember, more, remaining, membersLeft: left };
}

/**
 * The members of one expansion page: whole members after `after` in id order while their rows
 * (user + enrollments + champion rows and their history + actions) stay within `limit`, and
 * always one. Sized in rounds of candidates from member_row_count (kept exact by the triggers of
 * server migration 0008; counting each candidate's index entries instead was a quarter of a page).
 */
async function pickMembers(tx: Tx, coordinatorId: string, after: string, limit: number): Promise<{ members: string[]; more: boolean }> {
  const members: string[] = [];
  let total = 0;
  let from = after;
  let round = Math.min(MAX_MEMBERS_A_ROUND, Math.max(1, Math.ceil(limit / FIRST_ROUND_ROWS_A_MEMBER)));
  for (;;) {
    // Each member's rows: their user row and what member_row_count keeps (migration 0008). One
    // primary-key lookup a candidate: as a join, the planner hashed the whole count table instead
    // (100,000 rows read for a few hundred candidates, more than the page itself).
    const sized = await tx.rows<{ member_id: string; n: string }>(
      sql`SELECT c.member_id, (1 + coalesce((SELECT r.n FROM member_row_count r WHERE r.member_id = c.member_id), 0))::text AS n
          FROM (SELECT member_id FROM scope_member WHERE coordinator_id = ${coordinatorId} AND member_id > ${from}
                ORDER BY member_id LIMIT ${round + 1}) c
          ORDER BY c.member_id`,
    );
    // The extra candidate only says whether more exist; it is sized again by the next round.
    const more = sized.length > round;
    for (const c of sized.slice(0, round)) {
      const n = Number(c.n);
      if (members.length > 0 && total + n > limit) return { members, more: true };
      members.push(c.member_id);
      total += n;
    }
    if (!more) return { members, more: false };
    from = members[members.length - 1]!;
    round = Math.min(MAX_MEMBERS_A_ROUND, round * 2);
  }
}
