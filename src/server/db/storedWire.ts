import { sql, type SQL } from 'drizzle-orm';
import type { RowOf, SyncTable } from '../../shared/rows.js';

// Each synced table's row as it travels on the wire, built inside PostgreSQL (timestamps via
// afh_iso: UTC ISO-8601 with milliseconds). Two sources that must agree:
// - the stored `wire` column, kept by each table's trigger (drizzle/server/0002_wire_json.sql):
//   what pull pages and rejection `current` rows send, so no request builds JSON per row;
// - WIRE_JSON below, computed from the columns: the reference that test dumps use, so tests
//   compare what the trigger stored against the truth rather than against itself.

const iso = (col: string) => `afh_iso(${col})`;

const WIRE_JSON: Record<SyncTable, string> = {
  user: `json_build_object('id', id, 'email', email, 'name', name, 'origin', origin, 'profile_img', profile_img, 'roles', roles, 'created_at', ${iso('created_at')})`,
  cohort: `json_build_object('id', id, 'name', name, 'starts_at', ${iso('starts_at')}, 'ends_at', ${iso('ends_at')}, 'status', status, 'created_at', ${iso('created_at')})`,
  enrollment: `json_build_object('id', id, 'user_id', user_id, 'cohort_id', cohort_id, 'course_name', course_name, 'status', status, 'enrolled_at', ${iso('enrolled_at')})`,
  user_action: `json_build_object('id', id, 'user_id', user_id, 'enrollment_id', enrollment_id, 'action_type', action_type, 'target_type', target_type, 'target_id', target_id, 'metadata', metadata, 'source_system', source_system, 'source_event_id', source_event_id, 'idempotency_key', idempotency_key, 'occurred_at', ${iso('occurred_at')})`,
  champion: `json_build_object('id', id, 'user_id', user_id, 'cohort_id', cohort_id, 'stage', stage, 'notes', notes, 'selected_at', ${iso('selected_at')}, 'became_champion_at', ${iso('became_champion_at')}, 'stage_version', stage_version)`,
  champion_stage_change: `json_build_object('id', id, 'champion_id', champion_id, 'from_stage', from_stage, 'to_stage', to_stage, 'changed_at', ${iso('changed_at')}, 'changed_by', changed_by, 'reason', reason)`,
};

/** SQL identifier of a synced table (`user` is reserved in PostgreSQL, so every name is quoted). */
export const tableIdent = (table: SyncTable): SQL => sql.raw(`"${table}"`);

/** The wire-row JSON computed from the columns, for a SELECT over that table (test dumps: the reference). */
export const wireJson = (table: SyncTable): SQL => sql.raw(WIRE_JSON[table]);

/** One row of a synced table as a wire row (from its stored `wire` text), or null when it does not exist. */
export async function wireRow<K extends SyncTable>(tx: { rows<T>(q: SQL): Promise<T[]> }, table: K, id: string): Promise<RowOf[K] | null> {
  const r = await tx.rows<{ row: RowOf[K] }>(sql`SELECT wire::json AS row FROM ${tableIdent(table)} WHERE id = ${id}`);
  return r[0]?.row ?? null;
}
