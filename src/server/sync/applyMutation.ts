import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { manualActionRow, type Mutation, type MutationArgs } from '../../shared/mutations.js';
import type { MutationResult } from '../../shared/protocol.js';
import type { ChampionRow } from '../../shared/rows.js';
import { isValidTransition, stampsForStage } from '../../shared/stageRules.js';
import { MAX_CLOCK_SKEW_MS } from '../../shared/limits.js';
import type { Tx } from '../db/database.js';
import { insertRows } from '../db/insertRows.js';
import { wireRow } from '../db/storedWire.js';
import { syncChampionRole } from './championRole.js';

// One mutation's rules (docs/protocol.md, push table). Runs inside the write transaction that also
// advances the client's lastMutationId, holding the writers' lock, so the checks below cannot
// race with another writer: check-then-write is safe here.

export type Outcome = Omit<MutationResult, 'id'>;

export interface PushContext {
  /** The pushing coordinator: `changed_by` of every stage change. */
  userId: string;
  /** Server time of the request, in ms. */
  now: number;
}

/** Client clocks drift; an `at` further ahead of the server than this is a bug or a tampered request. */
export const MAX_FUTURE_MS = MAX_CLOCK_SKEW_MS;

const applied: Outcome = { status: 'applied' };
const rejected = (code: NonNullable<Outcome['code']>, message: string, current?: Record<string, unknown> | null, field?: string): Outcome => {
  const r: Outcome = { status: 'rejected', code, message };
  if (current !== undefined) r.current = current;
  if (field !== undefined) r.field = field;
  return r;
};

export const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('base64url')}`;

export async function applyMutation(tx: Tx, m: Mutation, ctx: PushContext): Promise<Outcome> {
  switch (m.name) {
    case 'champion.create':
      return createChampion(tx, m.args, ctx);
    case 'champion.move':
      return moveChampion(tx, m.args, ctx);
    case 'champion.setNotes':
      return setNotes(tx, m.args);
    case 'champion.setCohort':
      return setCohort(tx, m.args);
    case 'champion.remove':
      return removeChampion(tx, m.args);
    case 'action.record':
      return recordAction(tx, m.args, ctx);
  }
}

const exists = async (tx: Tx, table: 'user' | 'cohort' | 'enrollment', id: string): Promise<boolean> =>
  (await tx.rows(sql`SELECT 1 FROM ${sql.raw(`"${table}"`)} WHERE id = ${id}`)).length > 0;

const lockedChampion = async (tx: Tx, id: string): Promise<ChampionRow | null> => {
  await tx.rows(sql`SELECT 1 FROM champion WHERE id = ${id} FOR UPDATE`);
  return wireRow(tx, 'champion', id);
};

/** The row that already holds the (user, cohort) slot, or the user's global row when cohort is null. */
const championInSlot = async (tx: Tx, userId: string, cohortId: string | null, exceptId: string): Promise<ChampionRow | null> => {
  const r = await tx.rows<{ id: string }>(
    cohortId === null
      ? sql`SELECT id FROM champion WHERE user_id = ${userId} AND cohort_id IS NULL AND id <> ${exceptId}`
      : sql`SELECT id FROM champion WHERE user_id = ${userId} AND cohort_id = ${cohortId} AND id <> ${exceptId}`,
  );
  return r[0] ? wireRow(tx, 'champion', r[0].id) : null;
};

const slotName = (cohortId: string | null) => (cohortId === null ? 'a global champion row' : `a champion row for cohort ${cohortId}`);

async function insertStageChange(
  tx: Tx,
  c: { championId: string; from: string | null; to: string; at: string; by: string; reason: string | null },
): Promise<void> {
  await tx.rows(
    sql`INSERT INTO champion_stage_change (id, champion_id, from_stage, to_stage, changed_at, changed_by, reason)
        VALUES (${newId('csc')}, ${c.championId}, ${c.from}, ${c.to}, ${c.at}, ${c.by}, ${c.reason})`,
  );
}

async function createChampion(tx: Tx, a: MutationArgs['champion.create'], ctx: PushContext): Promise<Outcome> {
  if (!(await exists(tx, 'user', a.userId))) return rejected('not_found', `There is no member ${a.userId}.`, null, 'args.userId');
  if (a.cohortId !== null && !(await exists(tx, 'cohort', a.cohortId)))
    return rejected('not_found', `There is no cohort ${a.cohortId}.`, null, 'args.cohortId');
  const same = await wireRow(tx, 'champion', a.id);
  if (same) {
    // A repeated create (e.g. after the app lost its outbox bookkeeping) is harmless when it says the same thing.
    if (same.user_id === a.userId && same.cohort_id === a.cohortId && same.notes === a.notes) return applied;
    return rejected('duplicate_champion', `A champion row with id ${a.id} already exists.`, same);
  }
  const holder = await championInSlot(tx, a.userId, a.cohortId, a.id);
  if (holder) return rejected('duplicate_champion', `This member already has ${slotName(a.cohortId)}.`, holder);
  await tx.rows(
    sql`INSERT INTO champion (id, user_id, cohort_id, stage, notes) VALUES (${a.id}, ${a.userId}, ${a.cohortId}, 'candidate', ${a.notes})`,
  );
  await insertStageChange(tx, { championId: a.id, from: null, to: 'candidate', at: new Date(ctx.now).toISOString(), by: ctx.userId, reason: null });
  return applied;
}

async function moveChampion(tx: Tx, a: MutationArgs['champion.move'], ctx: PushContext): Promise<Outcome> {
  const row = await lockedChampion(tx, a.id);
  if (Date.parse(a.at) > ctx.now + MAX_FUTURE_MS)
    return rejected('invalid_args', 'args.at: is more than 5 minutes in the future (check the computer clock)', row, 'args.at');
  if (!row) return rejected('not_found', `There is no champion row ${a.id}.`, null);
  if (!isValidTransition(a.from, a.to))
    return rejected('invalid_transition', `A move from ${a.from} to ${a.to} skips a stage; move one step at a time.`, row);
  // The row the coordinator saw: its stage and (protocol 2) its stage version, so a card that
  // left `from` and came back (A→B→A) makes this move stale rather than slipping through.
  const sameRow = row.stage === a.from && (a.baseVersion === null || row.stage_version === a.baseVersion);
  if (!sameRow) {
    // Someone else made this very move first: what the coordinator wanted is what the row
    // says. Applied, and the version still moves on by one, as for any applied move, so that a
    // later move this coordinator built on this one (its baseVersion counts this one) is
    // stale rather than applied on top of the other coordinator's move.
    if (row.stage === a.to) {
      await tx.rows(sql`UPDATE champion SET stage_version = stage_version + 1 WHERE id = ${a.id}`);
      return applied;
    }
    return rejected(
      'stale',
      row.stage === a.from ? 'This card was moved away and back meanwhile.' : `This row is at ${row.stage} now, not ${a.from}.`,
      row,
    );
  }
  const stamps = stampsForStage(a.to, a.at, row);
  await tx.rows(
    sql`UPDATE champion SET stage = ${a.to}, selected_at = ${stamps.selected_at}, became_champion_at = ${stamps.became_champion_at},
               stage_version = stage_version + 1
        WHERE id = ${a.id}`,
  );
  await insertStageChange(tx, { championId: a.id, from: a.from, to: a.to, at: a.at, by: ctx.userId, reason: a.reason });
  await syncChampionRole(tx, row.user_id);
  return applied;
}

async function setNotes(tx: Tx, a: MutationArgs['champion.setNotes']): Promise<Outcome> {
  const row = await lockedChampion(tx, a.id);
  if (!row) return rejected('not_found', `There is no champion row ${a.id}.`, null);
  if (row.notes === a.notes) return applied;
  if (row.notes !== a.baseNotes) return rejected('stale', 'Someone else changed these notes meanwhile.', row);
  await tx.rows(sql`UPDATE champion SET notes = ${a.notes} WHERE id = ${a.id}`);
  return applied;
}

async function setCohort(tx: Tx, a: MutationArgs['champion.setCohort']): Promise<Outcome> {
  const row = await lockedChampion(tx, a.id);
  if (!row) return rejected('not_found', `There is no champion row ${a.id}.`, null);
  if (a.cohortId !== null && !(await exists(tx, 'cohort', a.cohortId)))
    return rejected('not_found', `There is no cohort ${a.cohortId}.`, row, 'args.cohortId');
  if (row.cohort_id === a.cohortId) return applied;
  if (row.cohort_id !== a.baseCohortId) return rejected('stale', 'Someone else changed this row’s cohort meanwhile.', row);
  const holder = await championInSlot(tx, row.user_id, a.cohortId, a.id);
  if (holder) return rejected('duplicate_champion', `This member already has ${slotName(a.cohortId)}.`, holder);
  await tx.rows(sql`UPDATE champion SET cohort_id = ${a.cohortId} WHERE id = ${a.id}`);
  return applied;
}

async function removeChampion(tx: Tx, a: MutationArgs['champion.remove']): Promise<Outcome> {
  const row = await lockedChampion(tx, a.id);
  if (!row) return rejected('not_found', `There is no champion row ${a.id}.`, null);
  if (row.stage !== 'candidate') return rejected('invalid_transition', `Only a candidate can be removed; this row is at ${row.stage}.`, row);
  // Its history goes with it (each delete leaves a tombstone, so clients drop them too).
  await tx.rows(sql`DELETE FROM champion_stage_change WHERE champion_id = ${a.id}`);
  await tx.rows(sql`DELETE FROM champion WHERE id = ${a.id}`);
  return applied;
}

/** What the rules of an `action.record` need to know about the database (and earlier mutations of the same push). */
export interface ActionFacts {
  /** The id of the action that already holds this idempotency key, or null. */
  keyOwner: string | null;
  userExists: boolean;
  /** The member of `enrollmentId`: undefined when there is no such enrollment (or none was given). */
  enrollmentUser: string | undefined;
  /** Whether another action already has this action id. */
  idTaken: boolean;
}

/**
 * The `action.record` rules, in their order, as a pure decision: shared by the one-by-one path
 * below and the bulk path (recordActionsBulk.ts), so both answer exactly alike.
 */
export function decideRecordAction(a: MutationArgs['action.record'], f: ActionFacts, now: number): Outcome | 'insert' {
  if (Date.parse(a.occurredAt) > now + MAX_FUTURE_MS)
    return rejected('invalid_args', 'args.occurredAt: is more than 5 minutes in the future (check the computer clock)', undefined, 'args.occurredAt');
  if (f.keyOwner !== null) return { status: 'applied', deduplicatedTo: f.keyOwner };
  if (!f.userExists) return rejected('not_found', `There is no member ${a.userId}.`, null, 'args.userId');
  if (a.enrollmentId !== null) {
    if (f.enrollmentUser === undefined) return rejected('not_found', `There is no enrollment ${a.enrollmentId}.`, null, 'args.enrollmentId');
    if (f.enrollmentUser !== a.userId)
      return rejected('invalid_args', `args.enrollmentId: enrollment ${a.enrollmentId} belongs to another member`, undefined, 'args.enrollmentId');
  }
  if (f.idTaken) return rejected('invalid_args', `args.id: action id ${a.id} is already used by another action`, undefined, 'args.id');
  return 'insert';
}

async function recordAction(tx: Tx, a: MutationArgs['action.record'], ctx: PushContext): Promise<Outcome> {
  const key = await tx.rows<{ id: string }>(sql`SELECT id FROM user_action WHERE idempotency_key = ${a.idempotencyKey}`);
  const enrollment =
    a.enrollmentId === null ? [] : await tx.rows<{ user_id: string }>(sql`SELECT user_id FROM enrollment WHERE id = ${a.enrollmentId}`);
  const decision = decideRecordAction(
    a,
    {
      keyOwner: key[0]?.id ?? null,
      userExists: await exists(tx, 'user', a.userId),
      enrollmentUser: enrollment[0]?.user_id,
      idTaken: (await tx.rows(sql`SELECT 1 FROM user_action WHERE id = ${a.id}`)).length > 0,
    },
    ctx.now,
  );
  if (decision !== 'insert') return decision;
  await tx.rows(insertRows('user_action', [manualActionRow(a)], 'raise'));
  return applied;
}
