import { asc, eq, sql } from 'drizzle-orm';
import { STAGES, type Stage } from '../../../shared/enums.js';
import type { CallOutput, ParsedInput } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { championStageChange, cohort, user } from '../schema.js';
import { championCards, championsOfCohort } from './championCards.js';

// The champion pipeline: one board per cohort, and one for the global (cohort-less) rows.

export function listCohorts(app: AppDb): CallOutput<'cohorts.list'> {
  const rows = app.db.select().from(cohort).orderBy(asc(cohort.name), asc(cohort.id)).all();
  return {
    cohorts: rows.map((c) => ({
      id: c.id,
      name: c.name,
      starts_at: c.startsAt,
      ends_at: c.endsAt,
      status: c.status as 'planned' | 'active' | 'finished',
      created_at: c.createdAt,
    })),
  };
}

/** Every stage as a column, in pipeline order, even when empty. */
export function getBoard(app: AppDb, input: ParsedInput<'board.get'>): CallOutput<'board.get'> {
  const cards = championCards(app, championsOfCohort(input.cohortId));
  const byStage = new Map<Stage, typeof cards>(STAGES.map((s) => [s, []]));
  for (const card of cards) byStage.get(card.champion.stage)?.push(card);
  return {
    cohortId: input.cohortId,
    columns: STAGES.map((stage) => {
      const column = byStage.get(stage) ?? [];
      return { stage, count: column.length, cards: column };
    }),
  };
}

/**
 * A card's stage history, oldest first. Rows written optimistically for a mutation still in
 * the outbox (pending) sort after the server's rows of the same instant: they happened later.
 */
export function championHistory(app: AppDb, input: ParsedInput<'champion.history'>): CallOutput<'champion.history'> {
  const rows = app.db
    .select({
      id: championStageChange.id,
      championId: championStageChange.championId,
      fromStage: championStageChange.fromStage,
      toStage: championStageChange.toStage,
      changedAt: championStageChange.changedAt,
      changedBy: championStageChange.changedBy,
      reason: championStageChange.reason,
      pendingMutationId: championStageChange.pendingMutationId,
      changedByName: user.name,
    })
    .from(championStageChange)
    .leftJoin(user, eq(user.id, championStageChange.changedBy))
    .where(eq(championStageChange.championId, input.id))
    .orderBy(
      asc(championStageChange.changedAt),
      sql`${championStageChange.pendingMutationId} IS NOT NULL`,
      asc(championStageChange.pendingMutationId),
      asc(championStageChange.id),
    )
    .all();
  return {
    changes: rows.map((r) => ({
      id: r.id,
      champion_id: r.championId,
      from_stage: r.fromStage as Stage | null,
      to_stage: r.toStage as Stage,
      changed_at: r.changedAt,
      changed_by: r.changedBy,
      reason: r.reason,
      pending: r.pendingMutationId !== null,
      changedByName: r.changedByName,
    })),
  };
}
