import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Stage } from '../../../shared/enums.js';
import type { ChampionCard } from '../../../shared/ipc.js';
import type { AppDb } from '../open.js';
import { champion, championStageChange, cohort, conflict, outbox, user } from '../schema.js';

// A champion row as the board and the member page show it. Shared so that both views
// agree on what "pending", "time in stage" and "conflicts" mean.

/** When the row entered its current stage: the latest history row that moved it there. */
const enteredStageAt = sql<string | null>`(SELECT max(${championStageChange.changedAt}) FROM ${championStageChange}
  WHERE ${championStageChange.championId} = ${champion.id} AND ${championStageChange.toStage} = ${champion.stage})`;

/** Champion ids among `ids` that a mutation still waiting in the outbox touches. */
function pendingChampionIds(app: AppDb, ids: readonly string[]): Set<string> {
  if (ids.length === 0) return new Set();
  const argId = sql<string>`json_extract(${outbox.args}, '$.id')`;
  const rows = app.db
    .selectDistinct({ id: argId })
    .from(outbox)
    .where(and(sql`${outbox.name} LIKE 'champion.%'`, inArray(argId, [...ids])))
    .all();
  return new Set(rows.map((r) => r.id));
}

/** Unresolved conflicts per champion id among `ids`. */
function openConflictCounts(app: AppDb, ids: readonly string[]): Map<string, number> {
  if (ids.length === 0) return new Map();
  const rows = app.db
    .select({ id: conflict.entityId, n: sql<number>`count(*)` })
    .from(conflict)
    .where(and(isNull(conflict.resolvedAt), inArray(conflict.entityId, [...ids])))
    .groupBy(conflict.entityId)
    .all();
  return new Map(rows.map((r) => [r.id ?? '', r.n]));
}

/** Cards for the champion rows `where` selects, by member name then id. */
export function championCards(app: AppDb, where: SQL | undefined): ChampionCard[] {
  const rows = app.db
    .select({
      id: champion.id,
      userId: champion.userId,
      cohortId: champion.cohortId,
      stage: champion.stage,
      notes: champion.notes,
      selectedAt: champion.selectedAt,
      becameChampionAt: champion.becameChampionAt,
      stageVersion: champion.stageVersion,
      userName: user.name,
      userEmail: user.email,
      cohortName: cohort.name,
      enteredStageAt,
    })
    .from(champion)
    .leftJoin(user, eq(user.id, champion.userId))
    .leftJoin(cohort, eq(cohort.id, champion.cohortId))
    .where(where)
    .orderBy(asc(user.name), asc(champion.id))
    .all();
  // SQLite bounds the number of parameters; a board is far below it, but chunk to be safe.
  const ids = rows.map((r) => r.id);
  const pending = new Set<string>();
  const conflicts = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const id of pendingChampionIds(app, chunk)) pending.add(id);
    for (const [id, n] of openConflictCounts(app, chunk)) conflicts.set(id, n);
  }
  return rows.map((r) => ({
    champion: {
      id: r.id,
      user_id: r.userId,
      cohort_id: r.cohortId,
      stage: r.stage as Stage,
      notes: r.notes,
      selected_at: r.selectedAt,
      became_champion_at: r.becameChampionAt,
      stage_version: r.stageVersion,
    },
    userName: r.userName,
    userEmail: r.userEmail,
    cohortName: r.cohortName,
    enteredStageAt: r.enteredStageAt,
    pending: pending.has(r.id),
    openConflicts: conflicts.get(r.id) ?? 0,
  }));
}

export const championsOfCohort = (cohortId: string | null): SQL => (cohortId === null ? isNull(champion.cohortId) : eq(champion.cohortId, cohortId));
export const championsOfUser = (userId: string): SQL => eq(champion.userId, userId);
