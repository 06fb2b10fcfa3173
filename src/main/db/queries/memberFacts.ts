import type { Stage } from '../../../shared/enums.js';
import { enrollmentLabel } from '../../../shared/enrollmentLabel.js';
import type { AppDb } from '../open.js';
import { cachedStatement } from '../statementCache.js';

// What the people list and its export say about each member besides the user row: when they
// were last active, where they are in the champion pipelines, what they are enrolled in.
// Looked up for one page of members at a time (ids as one JSON parameter), each by an index.

/** Which stage speaks for a member with several pipelines: a current champion first, someone who left last. */
const STAGE_WEIGHT: Record<Stage, number> = { champion: 4, selected: 3, candidate: 2, alumni: 1 };

/** A member's newest action on this laptop, by user_action_user_time_idx (one step per member). */
export function lastActiveOf(app: AppDb, ids: readonly string[]): Map<string, string | null> {
  if (ids.length === 0) return new Map();
  const rows = cachedStatement(
    app.sqlite,
    `SELECT j.value AS id, (SELECT max(occurred_at) FROM user_action WHERE user_id = j.value) AS at FROM json_each(@ids) j`,
  ).all({ ids: JSON.stringify(ids) }) as { id: string; at: string | null }[];
  return new Map(rows.map((r) => [r.id, r.at]));
}

export interface PipelineStage {
  stage: Stage;
  /** Null for the global pipeline. */
  cohortName: string | null;
  global: boolean;
}

/** Every pipeline each member is in, global first. */
export function pipelinesOf(app: AppDb, ids: readonly string[]): Map<string, PipelineStage[]> {
  const out = new Map<string, PipelineStage[]>();
  if (ids.length === 0) return out;
  const rows = cachedStatement(
    app.sqlite,
    `SELECT c.user_id AS id, c.stage AS stage, c.cohort_id IS NULL AS global, co.name AS cohort_name
     FROM champion c LEFT JOIN cohort co ON co.id = c.cohort_id
     WHERE c.user_id IN (SELECT value FROM json_each(@ids))
     ORDER BY c.user_id, global DESC, co.name`,
  ).all({ ids: JSON.stringify(ids) }) as { id: string; stage: Stage; global: number; cohort_name: string | null }[];
  for (const r of rows) {
    const list = out.get(r.id) ?? [];
    list.push({ stage: r.stage, cohortName: r.cohort_name, global: r.global === 1 });
    out.set(r.id, list);
  }
  return out;
}

/** The one stage the people list shows: the global pipeline's, else the weightiest of the cohort pipelines. */
export function summaryStage(pipelines: readonly PipelineStage[] | undefined): Stage | null {
  if (!pipelines || pipelines.length === 0) return null;
  const global = pipelines.find((p) => p.global);
  if (global) return global.stage;
  return [...pipelines].sort((a, b) => STAGE_WEIGHT[b.stage] - STAGE_WEIGHT[a.stage])[0]!.stage;
}

/** `champion (global); candidate (Ten Keys … — Spring 2026 (Leeds))`, stages in pipeline order words. */
export function pipelinesText(pipelines: readonly PipelineStage[] | undefined): string {
  return (pipelines ?? []).map((p) => `${p.stage} (${p.global ? 'global' : (p.cohortName ?? 'a cohort')})`).join('; ');
}

/** Each member's enrollments, newest first, as `Course — cohort (status)` joined by `; `. */
export function enrollmentsText(app: AppDb, ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = cachedStatement(
    app.sqlite,
    `SELECT e.user_id AS id, e.course_name AS course, co.name AS cohort, e.status AS status
     FROM enrollment e LEFT JOIN cohort co ON co.id = e.cohort_id
     WHERE e.user_id IN (SELECT value FROM json_each(@ids))
     ORDER BY e.user_id, e.enrolled_at DESC, e.id`,
  ).all({ ids: JSON.stringify(ids) }) as { id: string; course: string | null; cohort: string | null; status: string }[];
  for (const r of rows) {
    const label = enrollmentLabel(r.course, r.cohort);
    const prev = out.get(r.id);
    out.set(r.id, `${prev ? `${prev}; ` : ''}${label} (${r.status})`);
  }
  return out;
}
