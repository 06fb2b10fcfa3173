import { sql, type SQL } from 'drizzle-orm';
import type { PullResponse } from '../../shared/protocol.js';
import { SYNC_TABLES } from '../../shared/rows.js';
import type { Database, Tx } from '../db/database.js';
import { tableIdent } from '../db/storedWire.js';
import { DomainError } from '../domainError.js';
import { assertContinuable, currentEpoch, decodeCursor, encodeCursor } from './cursor.js';
import { assertSameDatabase } from './serverIdentity.js';
import { claimClient, readClient } from './syncClient.js';
import { concatAsciiJson } from './asciiJson.js';
import { pullScope, readScopeOf, type PullScope } from '../scopes.js';
import { expansionPage, highestVisibleSeq, scopedPageBounds, scopedPageChangesJson } from './scopedPull.js';
import type { CursorPosition } from './cursor.js';

// A pull page: every row of the six tables and every tombstone with seq > cursor, in seq
// order. Writers take seqs only while holding one advisory lock (writeLock.ts), so seq order
// is commit order and nothing can later commit "behind" a delivered seq: no skipped rows.
// The whole page (and lastMutationId) is read in one REPEATABLE READ snapshot.

// Where the page ends: the `limit`-th of the next seqs (or the last there is) and whether one
// more exists. Reduced in the database: shipping 5,000 seqs to JS cost more than finding them.
const pageBounds = (from: bigint, limit: number): SQL => {
  const take = limit + 1;
  const parts = [
    ...SYNC_TABLES.map((t) => sql`(SELECT seq FROM ${tableIdent(t)} WHERE seq > ${from.toString()}::bigint ORDER BY seq LIMIT ${take})`),
    sql`(SELECT seq FROM tombstone WHERE seq > ${from.toString()}::bigint ORDER BY seq LIMIT ${take})`,
  ];
  return sql`SELECT count(*)::int AS n, (max(seq) FILTER (WHERE rn <= ${limit}))::text AS up_to
             FROM (SELECT seq, row_number() OVER (ORDER BY seq) AS rn
                   FROM (SELECT seq FROM (${sql.join(parts, sql` UNION ALL `)}) s ORDER BY s.seq LIMIT ${take}) c) b`;
};

// The page's `changes` array is built as ONE JSON text inside the database and spliced into the
// response as is: no per-row JS objects, no JSON.parse of each row's json and no re-serialising
// on the way out (those were over half of a page's server time). Each row is its stored `wire`
// text (kept by a trigger on write, wireRows.ts): building it with json_build_object on every
// pull was ~70% of the page query. The envelope around it is plain text concatenation (its
// parts are fixed strings or to_json-escaped values): ~20% cheaper than a json_build_object per
// change on PGlite, and compact. string_agg rather than json_agg: the same array without
// json_agg's newline between elements.
const pageChangesJson = (from: bigint, to: bigint): SQL => {
  const range = sql`seq > ${from.toString()}::bigint AND seq <= ${to.toString()}::bigint`;
  const parts = [
    ...SYNC_TABLES.map(
      (t) => sql`SELECT seq, ${sql.raw(`'{"table":"${t}","op":"upsert","row":'`)} || wire || '}' AS c FROM ${tableIdent(t)} WHERE ${range}`,
    ),
    sql`SELECT seq, '{"table":' || to_json(table_name)::text || ',"op":"delete","id":' || to_json(row_id)::text || '}' AS c FROM tombstone WHERE ${range}`,
  ];
  return sql`SELECT '[' || coalesce(string_agg(p.c, ',' ORDER BY p.seq), '') || ']' AS changes FROM (${sql.join(parts, sql` UNION ALL `)}) p`;
};

/** What a page is asked for (a PullRequest, after its protocol check). `databaseId` absent: in-process callers that do not bind one. */
export interface PageRequest {
  clientId: string;
  cursor: string | null;
  limit: number;
  databaseId?: string | null;
}

const EMPTY = Buffer.from('[]');
const CLOSE = Buffer.from('}');

/**
 * One pull page as the exact JSON of a PullResponse (docs/protocol.md), as the bytes to send as
 * `application/json`, ASCII only (asciiJson.ts): the changes array comes out of the database as
 * bytes (Tx.textBytes) and never becomes a JS string on the way to the socket.
 */
export async function pullPageJson(db: Database, userId: string, req: PageRequest): Promise<Buffer> {
  const position = req.cursor === null ? null : decodeCursor(req.cursor);
  const from = position?.seq ?? 0n;
  let claimed = true;
  const page = await db.read(async (tx) => {
    const databaseId = await assertSameDatabase(tx, req.databaseId ?? null);
    claimed = (await tx.rows(sql`SELECT 1 FROM sync_client WHERE client_id = ${req.clientId}`)).length > 0;
    const lastMutationId = await readClient(tx, req.clientId, userId);
    if (position) {
      await assertContinuable(tx, position, databaseId);
      await assertAboveTombstoneFloor(tx, from);
    }
    const epoch = await currentEpoch(tx);
    const scope = await pullScope(tx, userId);
    const scopeNow = await readScopeOf(tx, userId);
    if (position) assertSameScope(position, scope);
    let head: Omit<PullResponse, 'changes'>;
    let changes: Buffer;
    if (scope.kind === 'cohorts' && (position === null || position.expandedTo !== undefined)) {
      // A first scoped sync: the members in scope, whole, from this snapshot (scopedPull.ts).
      const startSeq = position?.seq ?? (await highestVisibleSeq(tx));
      const page = await expansionPage(tx, userId, position?.expandedTo ?? '', req.limit, position === null, position?.membersLeft);
      changes = page.changes;
      const done = !page.more;
      head = {
        databaseId,
        cursor: encodeCursor(
          done
            ? { db: databaseId, epoch, seq: startSeq, scopedFor: userId }
            : { db: databaseId, epoch, seq: startSeq, scopedFor: userId, expandedTo: page.lastMember, membersLeft: page.membersLeft },
        ),
        // Done expanding: more only if something committed after the expansion's starting point.
        hasMore: !done || (await highestVisibleSeq(tx)) > startSeq,
        lastMutationId,
        remaining: page.remaining,
        scope: scopeNow,
      };
    } else {
      const scoped = scope.kind === 'cohorts' ? scope.coordinatorId : null;
      const bounds = (
        await tx.rows<{ n: number; up_to: string | null }>(scoped ? scopedPageBounds(from, req.limit, scoped) : pageBounds(from, req.limit))
      )[0];
      const hasMore = (bounds?.n ?? 0) > req.limit;
      const upTo = bounds?.up_to == null ? from : BigInt(bounds.up_to);
      changes =
        upTo > from ? ((await tx.textBytes(scoped ? scopedPageChangesJson(from, upTo, scoped) : pageChangesJson(from, upTo))) ?? EMPTY) : EMPTY;
      let remaining = 0;
      if (hasMore) {
        // An estimate for a progress bar: seqs also count superseded updates, so it errs high.
        const top = await tx.rows<{ last: string }>(sql`SELECT last_value::text AS last FROM change_seq`);
        const est = BigInt(top[0]?.last ?? '0') - upTo;
        remaining = est > 0n ? Number(est) : 1;
      }
      head = {
        databaseId,
        cursor: encodeCursor(scoped ? { db: databaseId, epoch, seq: upTo, scopedFor: scoped } : { db: databaseId, epoch, seq: upTo }),
        hasMore,
        lastMutationId,
        remaining,
        scope: scopeNow,
      };
    }
    return concatAsciiJson([Buffer.from(`${JSON.stringify(head).slice(0, -1)},"changes":`), changes, CLOSE]);
  });
  // A pull is a use of the clientId too: the first user to use it owns it (docs/protocol.md). Only a
  // first use writes (a write transaction per page cost ~5 ms on PGlite); the page is sent only
  // if the claim succeeds, so another user who claimed it meanwhile makes this a 403. The page's
  // lastMutationId (0, no row in its snapshot) stays right. The claim touches only a
  // server-side table, so it needs no place in the change order.
  if (!claimed) await db.write((tx) => claimClient(tx, req.clientId, userId, { forUpdate: false }), { lock: false });
  return page;
}

async function assertAboveTombstoneFloor(tx: Tx, from: bigint): Promise<void> {
  const r = await tx.rows<{ floor: string }>(sql`SELECT tombstone_floor::text AS floor FROM sync_meta WHERE id = 1`);
  if (from < BigInt(r[0]?.floor ?? '0'))
    throw new DomainError('resync_required', 'This device has been offline longer than the server keeps deletions; start a full resync.', {
      field: 'cursor',
    });
}

/**
 * A cursor follows one way of filtering: unfiltered (`all`), or one coordinator's scope. When
 * that changes (a coordinator scoped or unscoped, another coordinator's laptop), the laptop's
 * rows were chosen by another rule: it starts over (keeping its outbox), rather than holding
 * members it should not, or missing ones it should.
 */
function assertSameScope(position: CursorPosition, scope: PullScope): void {
  const want = scope.kind === 'cohorts' ? scope.coordinatorId : undefined;
  if (position.scopedFor !== want)
    throw new DomainError('resync_required', 'The communities this laptop holds have changed; start a full resync.', { field: 'cursor' });
}
