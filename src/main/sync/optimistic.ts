import type Database from 'better-sqlite3';
import { manualActionRow, type Mutation } from '../../shared/mutations.js';
import { rolesAfterStageChange, stampsForStage } from '../../shared/stageRules.js';
import { rememberBase } from './serverBase.js';
import { isConstraintError } from './sqliteErrors.js';
import { insertIfAbsentSql, toLocalValues } from './wireRows.js';
import { noteWrite } from './writtenTables.js';

// The optimistic effect of each mutation on the local mirror: what the server will do if it
// applies the mutation. Every effect is "set to target" (idempotent), because the rebase
// after each pull re-applies all still-pending mutations on top of the server's rows.

export interface OptimisticContext {
  /** The coordinator making the change (champion_stage_change.changed_by). */
  changedBy: string;
  /** When the mutation was made (stage-change time for a create). */
  createdAt: string;
}

/** Local id of the optimistic stage-change row a mutation writes; replaced by the server's row on pull. */
export const pendingStageChangeId = (mutationId: number): string => `csc_pending_${mutationId}`;

interface ChampionLocal {
  id: string;
  user_id: string;
  cohort_id: string | null;
  stage: string;
  notes: string;
  selected_at: string | null;
  became_champion_at: string | null;
  stage_version: number;
}

export function readChampion(sqlite: Database.Database, id: string): ChampionLocal | undefined {
  return sqlite.prepare('SELECT * FROM champion WHERE id = ?').get(id) as ChampionLocal | undefined;
}

/**
 * Apply one mutation's optimistic effect. Returns false when it could not be shown locally
 * (its row is gone, or a unique rule blocks it); the server will then reject it and the
 * rejection becomes a conflict, so nothing is lost by skipping here.
 */
export function applyOptimistic(sqlite: Database.Database, m: Mutation, ctx: OptimisticContext): boolean {
  try {
    return sqlite.transaction(() => applyInner(sqlite, m, ctx)).immediate();
  } catch (e) {
    if (isConstraintError(e)) return false;
    throw e;
  }
}

function applyInner(sqlite: Database.Database, m: Mutation, ctx: OptimisticContext): boolean {
  switch (m.name) {
    case 'champion.create': {
      const a = m.args;
      rememberBase(sqlite, 'champion', a.id);
      noteWrite(sqlite, 'champion', 'champion_stage_change');
      sqlite
        .prepare(
          `INSERT INTO champion (id, user_id, cohort_id, stage, notes, selected_at, became_champion_at)
           VALUES (?, ?, ?, 'candidate', ?, NULL, NULL)
           ON CONFLICT(id) DO UPDATE SET user_id = excluded.user_id, cohort_id = excluded.cohort_id, notes = excluded.notes`,
        )
        .run(a.id, a.userId, a.cohortId, a.notes);
      writePendingStageChange(sqlite, m.id, a.id, null, 'candidate', ctx.createdAt, ctx.changedBy, null);
      return true;
    }
    case 'champion.move': {
      const a = m.args;
      const row = readChampion(sqlite, a.id);
      if (!row) return false;
      rememberBase(sqlite, 'champion', a.id);
      noteWrite(sqlite, 'champion', 'champion_stage_change');
      const stamps = stampsForStage(a.to, a.at, row);
      // The server bumps the stage version once for every move it applies: the next move made
      // here is based on this one (its baseVersion counts it).
      sqlite
        .prepare('UPDATE champion SET stage = ?, selected_at = ?, became_champion_at = ?, stage_version = stage_version + 1 WHERE id = ?')
        .run(a.to, stamps.selected_at, stamps.became_champion_at, a.id);
      writePendingStageChange(sqlite, m.id, a.id, a.from, a.to, a.at, ctx.changedBy, a.reason);
      followChampionRole(sqlite, row.user_id);
      return true;
    }
    case 'champion.setNotes': {
      if (!readChampion(sqlite, m.args.id)) return false;
      rememberBase(sqlite, 'champion', m.args.id);
      noteWrite(sqlite, 'champion');
      return sqlite.prepare('UPDATE champion SET notes = ? WHERE id = ?').run(m.args.notes, m.args.id).changes > 0;
    }
    case 'champion.setCohort': {
      if (!readChampion(sqlite, m.args.id)) return false;
      rememberBase(sqlite, 'champion', m.args.id);
      noteWrite(sqlite, 'champion');
      return sqlite.prepare('UPDATE champion SET cohort_id = ? WHERE id = ?').run(m.args.cohortId, m.args.id).changes > 0;
    }
    case 'champion.remove': {
      const row = readChampion(sqlite, m.args.id);
      if (!row) return false;
      rememberBase(sqlite, 'champion', m.args.id);
      noteWrite(sqlite, 'champion', 'champion_stage_change');
      sqlite.prepare('DELETE FROM champion WHERE id = ?').run(m.args.id);
      forgetOptimisticHistory(sqlite, m.args.id);
      return true;
    }
    case 'action.record': {
      const a = m.args;
      rememberBase(sqlite, 'user_action', a.id);
      noteWrite(sqlite, 'user_action');
      sqlite.prepare(insertIfAbsentSql('user_action')).run(toLocalValues('user_action', manualActionRow(a)));
      return true;
    }
  }
}

function writePendingStageChange(
  sqlite: Database.Database,
  mutationId: number,
  championId: string,
  from: string | null,
  to: string,
  at: string,
  by: string,
  reason: string | null,
): void {
  sqlite
    .prepare(
      `INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason, pending_mutation_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET champion_id = excluded.champion_id, from_stage = excluded.from_stage,
         to_stage = excluded.to_stage, changed_at = excluded.changed_at, changed_by = excluded.changed_by,
         reason = excluded.reason, pending_mutation_id = excluded.pending_mutation_id`,
    )
    .run(pendingStageChangeId(mutationId), championId, from, to, at, by, reason, mutationId);
}

/**
 * Show the `champion` role rule (docs/architecture.md, "Domain rules") optimistically. The user's server row is kept as
 * a base (serverBase.ts), so a rejected move leaves no stray role behind.
 */
function followChampionRole(sqlite: Database.Database, userId: string): void {
  const u = sqlite.prepare('SELECT roles FROM user WHERE id = ?').get(userId) as { roles: string } | undefined;
  if (!u) return;
  const active = sqlite.prepare("SELECT 1 FROM champion WHERE user_id = ? AND stage = 'champion' LIMIT 1").get(userId) !== undefined;
  const roles = JSON.parse(u.roles) as string[];
  const next = rolesAfterStageChange(roles, active);
  if (JSON.stringify(next) === JSON.stringify(roles)) return;
  rememberBase(sqlite, 'user', userId);
  noteWrite(sqlite, 'user');
  sqlite.prepare('UPDATE user SET roles = ? WHERE id = ?').run(JSON.stringify(next), userId);
}

/** SQL of forgetOptimisticHistory, for callers that keep the statement prepared (the pull applier). */
export const FORGET_OPTIMISTIC_HISTORY_SQL = 'DELETE FROM champion_stage_change WHERE champion_id = ? AND pending_mutation_id IS NOT NULL';

/**
 * Drop the optimistic stage changes of a champion that is gone (removed here, or deleted by the
 * server): without its row they would linger in history until the next rebase.
 */
function forgetOptimisticHistory(sqlite: Database.Database, championId: string): void {
  sqlite.prepare(FORGET_OPTIMISTIC_HISTORY_SQL).run(championId);
}
