import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { EnrollmentRow } from '../shared/rows.js';
import type { Database } from './db/database.js';
import { DomainError } from './domainError.js';

// `POST /v1/ingest/enrollments` (issue 13, docs/protocol.md): the platform reports new
// enrollments, status changes and cohort moves. Rows are upserted by id in ONE statement, so the
// scope triggers see the whole batch at once (one pass, one set of enter/leave events). All or
// nothing: every row is checked before any is written.

const MAX_INGEST_ENROLLMENTS = 1000;

export const IngestEnrollmentsRequest = z.strictObject({
  enrollments: z.array(EnrollmentRow).min(1).max(MAX_INGEST_ENROLLMENTS, `at most ${MAX_INGEST_ENROLLMENTS} enrollments a request`),
});

export interface IngestEnrollmentsResponse {
  results: { index: number; status: 'inserted' | 'updated' | 'unchanged'; id: string }[];
}

const fieldError = (i: number, col: string, why: string) =>
  new DomainError('bad_request', `enrollments[${i}].${col}: ${why}`, { field: `enrollments[${i}].${col}` });

export async function ingestEnrollments(db: Database, req: z.output<typeof IngestEnrollmentsRequest>): Promise<IngestEnrollmentsResponse> {
  const seen = new Map<string, number>();
  req.enrollments.forEach((e, i) => {
    const first = seen.get(e.id);
    if (first !== undefined) throw fieldError(i, 'id', `the same enrollment as enrollments[${first}]; send each once`);
    seen.set(e.id, i);
  });
  const rows = JSON.stringify(req.enrollments);
  return db.write(async (tx) => {
    const list = (col: string) => sql`SELECT DISTINCT x->>${col} AS id FROM jsonb_array_elements(${rows}::jsonb) x WHERE x->>${col} IS NOT NULL`;
    const users = new Set((await tx.rows<{ id: string }>(sql`SELECT id FROM "user" WHERE id IN (${list('user_id')})`)).map((r) => r.id));
    const cohorts = new Set((await tx.rows<{ id: string }>(sql`SELECT id FROM cohort WHERE id IN (${list('cohort_id')})`)).map((r) => r.id));
    const owners = new Map(
      (await tx.rows<{ id: string; user_id: string }>(sql`SELECT id, user_id FROM enrollment WHERE id IN (${list('id')}) FOR UPDATE`)).map((r) => [
        r.id,
        r.user_id,
      ]),
    );
    req.enrollments.forEach((e, i) => {
      if (!users.has(e.user_id)) throw fieldError(i, 'user_id', `there is no member ${e.user_id}`);
      if (e.cohort_id !== null && !cohorts.has(e.cohort_id)) throw fieldError(i, 'cohort_id', `there is no cohort ${e.cohort_id}`);
      const owner = owners.get(e.id);
      // An enrollment is one member's: its actions point at it, so it never changes hands.
      if (owner !== undefined && owner !== e.user_id) throw fieldError(i, 'user_id', `enrollment ${e.id} belongs to another member`);
    });
    const written = await tx.rows<{ id: string; inserted: boolean }>(
      sql`INSERT INTO enrollment (id, user_id, cohort_id, course_name, status, enrolled_at)
          SELECT r.id, r.user_id, r.cohort_id, r.course_name, r.status, r.enrolled_at
          FROM jsonb_to_recordset(${rows}::jsonb) AS r(id text, user_id text, cohort_id text, course_name text, status text, enrolled_at timestamptz)
          ON CONFLICT (id) DO UPDATE SET cohort_id = EXCLUDED.cohort_id, course_name = EXCLUDED.course_name, status = EXCLUDED.status,
                                         enrolled_at = EXCLUDED.enrolled_at
          WHERE (enrollment.cohort_id, enrollment.course_name, enrollment.status, enrollment.enrolled_at)
                IS DISTINCT FROM (EXCLUDED.cohort_id, EXCLUDED.course_name, EXCLUDED.status, EXCLUDED.enrolled_at)
          RETURNING id, (xmax = 0) AS inserted`,
    );
    const byId = new Map(written.map((w) => [w.id, w.inserted]));
    return {
      results: req.enrollments.map((e, index) => {
        const w = byId.get(e.id);
        return { index, status: w === undefined ? 'unchanged' : w ? 'inserted' : 'updated', id: e.id };
      }),
    };
  });
}
