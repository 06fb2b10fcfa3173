import { sql } from 'drizzle-orm';
import { upstreamIdempotencyKey } from '../shared/rows.js';
import type { IngestKeySource } from '../shared/enums.js';
import type { z } from 'zod';
import type { IngestRequest, IngestResponse } from '../shared/protocol.js';
import type { Database, Tx } from './db/database.js';
import { dataFault } from './db/dataFault.js';
import { insertRows } from './db/insertRows.js';
import { DomainError } from './domainError.js';
import { MAX_FUTURE_MS, newId } from './sync/applyMutation.js';

/**
 * Upstream actions (docs/protocol.md, ingest), written with an ingest key bound to `key.source`.
 * All-or-nothing for invalid rows: every row is checked before any is written. A replay (either
 * partial unique index) answers `duplicate` with the id that landed first.
 */
export async function ingestActions(
  db: Database,
  req: z.output<typeof IngestRequest>,
  key: { source: IngestKeySource },
  now = Date.now(),
): Promise<IngestResponse> {
  assertActionsAllowed(req.actions, key, now);

  return db.write(async (tx) => {
    await assertReferencesExist(tx, req.actions);
    const results: IngestResponse['results'] = [];
    for (const [index, a] of req.actions.entries()) {
      // No source, no derived key: an event id means nothing without the system that issued it.
      const key =
        a.idempotency_key ??
        (a.source_system !== null && a.source_event_id !== null ? upstreamIdempotencyKey(a.source_system, a.source_event_id) : null);
      const id = newId('act');
      const inserted = await insertOrExplain(index, () =>
        tx.rows<{ id: string }>(
          insertRows(
            'user_action',
            [
              {
                id,
                user_id: a.user_id,
                enrollment_id: a.enrollment_id,
                action_type: a.action_type,
                target_type: a.target_type,
                target_id: a.target_id,
                metadata: a.metadata,
                source_system: a.source_system,
                source_event_id: a.source_event_id,
                idempotency_key: key,
                occurred_at: a.occurred_at,
              },
            ],
            'skip',
          ),
        ),
      );
      if (inserted[0]) {
        results.push({ index, status: 'inserted', id: inserted[0].id });
        continue;
      }
      const first = await tx.rows<{ id: string }>(
        sql`SELECT id FROM user_action
            WHERE (${key}::text IS NOT NULL AND idempotency_key = ${key})
               OR (${a.source_event_id}::text IS NOT NULL AND source_system = ${a.source_system} AND source_event_id = ${a.source_event_id})
            ORDER BY seq LIMIT 1`,
      );
      if (!first[0]) throw new Error('ingest conflict without a matching row');
      results.push({ index, status: 'duplicate', id: first[0].id });
    }
    return { results };
  });
}

/** What a key may write, checked before any row is: its own source only, never `manual`, nothing from the future. */
function assertActionsAllowed(
  actions: readonly { source_system: string | null; occurred_at: string }[],
  key: { source: IngestKeySource },
  now: number,
): void {
  actions.forEach((a, i) => {
    // A key speaks for one upstream system only, so a leaked `segment` key cannot forge `stripe`
    // payments. `platform` (the platform's own back end) may write any source, and it alone
    // may write an action with no source at all (null).
    if (key.source !== 'platform' && a.source_system !== key.source)
      throw new DomainError('forbidden', `actions[${i}].source_system: this ingest key may write only "${key.source}" actions`, {
        field: `actions[${i}].source_system`,
      });
    // `manual` actions are the app's own and arrive through push, tied to a client's outbox; an
    // upstream system claiming to be `manual` would dodge that bookkeeping.
    if (a.source_system === 'manual')
      throw new DomainError('bad_request', `actions[${i}].source_system: "manual" actions come only from the app's sync push`, {
        field: `actions[${i}].source_system`,
      });
    if (Date.parse(a.occurred_at) > now + MAX_FUTURE_MS)
      throw new DomainError('bad_request', `actions[${i}].occurred_at: is more than 5 minutes in the future`, { field: `actions[${i}].occurred_at` });
  });
}

async function assertReferencesExist(tx: Tx, actions: readonly { user_id: string; enrollment_id: string | null }[]): Promise<void> {
  const users = [...new Set(actions.map((a) => a.user_id))];
  const found = new Set(
    (await tx.rows<{ id: string }>(sql`SELECT id FROM "user" WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(users)}::jsonb))`)).map(
      (r) => r.id,
    ),
  );
  const enrollIds = [...new Set(actions.flatMap((a) => (a.enrollment_id === null ? [] : [a.enrollment_id])))];
  const enrollments = new Map(
    (
      await tx.rows<{ id: string; user_id: string }>(
        sql`SELECT id, user_id FROM enrollment WHERE id IN (SELECT jsonb_array_elements_text(${JSON.stringify(enrollIds)}::jsonb))`,
      )
    ).map((r) => [r.id, r.user_id]),
  );
  actions.forEach((a, i) => {
    if (!found.has(a.user_id))
      throw new DomainError('bad_request', `actions[${i}].user_id: there is no member ${a.user_id}`, { field: `actions[${i}].user_id` });
    if (a.enrollment_id !== null) {
      const owner = enrollments.get(a.enrollment_id);
      if (owner === undefined)
        throw new DomainError('bad_request', `actions[${i}].enrollment_id: there is no enrollment ${a.enrollment_id}`, {
          field: `actions[${i}].enrollment_id`,
        });
      if (owner !== a.user_id)
        throw new DomainError('bad_request', `actions[${i}].enrollment_id: enrollment ${a.enrollment_id} belongs to another member`, {
          field: `actions[${i}].enrollment_id`,
        });
    }
  });
}

/**
 * The schema checks every value before this runs, so a CHECK refusing one means the two rule
 * books disagree (as they once did on emoji lengths). The request is still the sender's to fix:
 * a 400 naming the row and the column, and the transaction rolls back (all-or-nothing).
 */
async function insertOrExplain<T>(index: number, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (e) {
    const fault = dataFault(e);
    if (!fault) throw e;
    const column = /^user_action_(.+)_storable$/.exec(fault.constraint)?.[1];
    const field = column ? `actions[${index}].${column}` : `actions[${index}]`;
    throw new DomainError('bad_request', `${field}: the server cannot store this value because ${fault.why}`, { field });
  }
}
