import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { CallOutput, ConflictItem, ParsedInput } from '../../shared/ipc.js';
import { manualIdempotencyKey } from '../../shared/rows.js';
import { parseMutation, type Mutation, type MutationArgs, type MutationName } from '../../shared/mutations.js';
import { isValidTransition } from '../../shared/stageRules.js';
import type { Stage } from '../../shared/enums.js';
import { CHAMPION_SLOT_HOLDER_SQL, slotParams } from './championSlot.js';
import { getOpenConflict, listOpenConflicts, markResolved, stopWaiting, waitingBehind, type StoredConflict } from './conflicts.js';
import { applyOptimistic, readChampion } from './optimistic.js';
import { durably } from './durably.js';
import { enqueue } from './outbox.js';
import type { SqliteHost } from './sqliteHost.js';
import { readSyncState } from '../db/syncState.js';

// What a coordinator does offline. Each call validates against the local mirror, then writes
// the optimistic change and the outbox row in ONE SQLite transaction, so a crash keeps both
// or neither.

export type LocalMutationErrorCode = 'bad_request' | 'not_found' | 'conflict';

export class LocalMutationError extends Error {
  constructor(
    readonly code: LocalMutationErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LocalMutationError';
  }
}

export interface LocalMutationsContext {
  /** The signed-in coordinator (champion_stage_change.changed_by); null when signed out. */
  getUserId(): string | null;
  now?(): Date;
}

/** A change checked against this laptop's data, ready to be written. */
type Prepared<N extends MutationName> = { name: N; args: MutationArgs[N] };
type AnyPrepared = { [N in MutationName]: Prepared<N> }[MutationName];

const newId = (prefix: string): string =>
  `${prefix}_${randomBytes(9)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;

const STOPPED_WAITING =
  'Not sent: it was made on top of an earlier change to this card, which you decided not to send. Discard it, or apply it again on the card as it is now.';

/** Why "apply mine again" cannot work, in plain words (never a field key or validation text). */
function plainRetryReason(c: StoredConflict, e: LocalMutationError): string {
  if (e.code === 'not_found')
    return c.name === 'action.record' ? 'The member is not on this laptop any more.' : 'This card is not on the server any more.';
  switch (c.name) {
    case 'champion.move': {
      const to = typeof c.args.to === 'string' ? c.args.to : '';
      return e.field === 'to' && /already/.test(e.message)
        ? `The card is at ${to} already.`
        : `From the card’s stage now, a move to ${to} would skip a stage: move it one step at a time instead.`;
    }
    case 'champion.create':
      return 'This member already has a card in that pipeline.';
    case 'champion.setCohort':
      return 'This member already has a card in that cohort.';
    case 'champion.remove':
      return 'Only a candidate can be removed, and this card has moved on.';
    default:
      return 'It cannot be made on the card as it is now.';
  }
}

export class LocalMutations {
  private readonly sqlite: Database.Database;

  constructor(
    app: SqliteHost,
    private readonly ctx: LocalMutationsContext,
  ) {
    this.sqlite = app.sqlite;
  }

  private now(): Date {
    return this.ctx.now ? this.ctx.now() : new Date();
  }

  createChampion(input: ParsedInput<'champion.create'>): CallOutput<'champion.create'> {
    return this.tx(() => {
      const p = this.prepareCreate(input, newId('ch'));
      return { id: p.args.id, mutationId: this.write(p) };
    });
  }

  moveChampion(input: ParsedInput<'champion.move'>): CallOutput<'champion.move'> {
    return this.tx(() => ({ mutationId: this.write(this.prepareMove(input)) }));
  }

  setNotes(input: ParsedInput<'champion.setNotes'>): CallOutput<'champion.setNotes'> {
    return this.tx(() => ({ mutationId: this.write(this.prepareNotes(input)) }));
  }

  setCohort(input: ParsedInput<'champion.setCohort'>): CallOutput<'champion.setCohort'> {
    return this.tx(() => ({ mutationId: this.write(this.prepareCohort(input)) }));
  }

  removeChampion(input: ParsedInput<'champion.remove'>): CallOutput<'champion.remove'> {
    return this.tx(() => ({ mutationId: this.write(this.prepareRemove(input)) }));
  }

  recordAction(input: ParsedInput<'action.record'>): CallOutput<'action.record'> {
    return this.tx(() => {
      const p = this.prepareAction(input, newId('act'));
      return { id: p.args.id, mutationId: this.write(p) };
    });
  }

  // Each change is checked and its args made against this laptop's data (reads only), then
  // written with its optimistic effect: so "could this be made now?" (a conflict's retry) is
  // answered by the very same checks, without a write.

  private prepareCreate(input: ParsedInput<'champion.create'>, id: string): Prepared<'champion.create'> {
    this.requireRow('user', input.userId, 'userId', 'member');
    if (input.cohortId !== null) this.requireRow('cohort', input.cohortId, 'cohortId', 'cohort');
    this.requireNoChampionFor(input.userId, input.cohortId, null);
    return { name: 'champion.create', args: { id, userId: input.userId, cohortId: input.cohortId, notes: input.notes } };
  }

  private prepareMove(input: ParsedInput<'champion.move'>): Prepared<'champion.move'> {
    const row = this.requireChampion(input.id);
    const from = row.stage as Stage;
    if (!isValidTransition(from, input.to)) {
      throw new LocalMutationError('bad_request', `to: a champion at stage "${from}" can move only one step, not to "${input.to}"`, 'to');
    }
    // Stamped on the server's clock as last measured, so a laptop whose clock runs ahead does
    // not stamp a time the server refuses as being in the future.
    const at = new Date(this.now().getTime() + readSyncState(this.sqlite).clockOffsetMs).toISOString();
    return { name: 'champion.move', args: { id: input.id, from, to: input.to, at, reason: input.reason, baseVersion: row.stage_version } };
  }

  private prepareNotes(input: ParsedInput<'champion.setNotes'>): Prepared<'champion.setNotes'> {
    const row = this.requireChampion(input.id);
    return { name: 'champion.setNotes', args: { id: input.id, notes: input.notes, baseNotes: row.notes } };
  }

  private prepareCohort(input: ParsedInput<'champion.setCohort'>): Prepared<'champion.setCohort'> {
    const row = this.requireChampion(input.id);
    if (input.cohortId !== null) this.requireRow('cohort', input.cohortId, 'cohortId', 'cohort');
    this.requireNoChampionFor(row.user_id, input.cohortId, input.id);
    return { name: 'champion.setCohort', args: { id: input.id, cohortId: input.cohortId, baseCohortId: row.cohort_id } };
  }

  private prepareRemove(input: ParsedInput<'champion.remove'>): Prepared<'champion.remove'> {
    const row = this.requireChampion(input.id);
    if (row.stage !== 'candidate') {
      throw new LocalMutationError('conflict', `id: only a candidate can be removed; this one is at stage "${row.stage}"`, 'id');
    }
    return { name: 'champion.remove', args: { id: input.id } };
  }

  private prepareAction(input: ParsedInput<'action.record'>, id: string): Prepared<'action.record'> {
    this.requireRow('user', input.userId, 'userId', 'member');
    if (input.enrollmentId !== null) {
      this.requireRow('enrollment', input.enrollmentId, 'enrollmentId', 'enrollment');
      const owner = this.sqlite.prepare('SELECT user_id FROM enrollment WHERE id = ?').get(input.enrollmentId) as { user_id: string };
      if (owner.user_id !== input.userId) {
        throw new LocalMutationError('bad_request', `enrollmentId: enrollment "${input.enrollmentId}" belongs to another member`, 'enrollmentId');
      }
    }
    // The server refuses times more than 5 minutes ahead of its clock; say so now, not after a sync.
    if (Date.parse(input.occurredAt) > this.now().getTime() + 5 * 60_000) {
      throw new LocalMutationError('bad_request', 'occurredAt: must not be in the future', 'occurredAt');
    }
    const { clientId } = readSyncState(this.sqlite);
    return {
      name: 'action.record',
      args: {
        id,
        userId: input.userId,
        enrollmentId: input.enrollmentId,
        actionType: input.actionType,
        targetType: input.targetType,
        targetId: input.targetId,
        metadata: input.metadata,
        occurredAt: input.occurredAt,
        idempotencyKey: manualIdempotencyKey(clientId, id),
      },
    };
  }

  listConflicts(): CallOutput<'conflicts.list'> {
    return { conflicts: listOpenConflicts(this.sqlite).map((c) => this.describe(c)) };
  }

  /**
   * `keep-server` closes the conflict (the record keeps the coordinator's text); changes that
   * waited behind it become conflicts of their own. `retry-mine` queues the same intent again,
   * based on the row as it is now, then the changes that waited behind it, in order (one that
   * can no longer be made stays a conflict of its own). A change still waiting behind another
   * can only be discarded until that one is decided.
   */
  resolveConflict(input: ParsedInput<'conflicts.resolve'>): CallOutput<'conflicts.resolve'> {
    return this.tx(() => {
      const c = getOpenConflict(this.sqlite, input.id);
      if (!c) throw new LocalMutationError('not_found', `id: no open conflict ${input.id}`, 'id');
      const now = this.now();
      let mutationId: number | null = null;
      if (input.resolution === 'retry-mine') {
        if (c.blockedBy !== null) {
          throw new LocalMutationError(
            'conflict',
            'This change waits for your decision on an earlier change to the same card: decide on that one first.',
            'id',
          );
        }
        mutationId = this.write(this.prepareRetry(c.name, c.args));
      }
      markResolved(this.sqlite, c.id, input.resolution, now);
      for (const w of waitingBehind(this.sqlite, c.id)) {
        if (input.resolution === 'retry-mine') {
          let again: AnyPrepared | null = null;
          try {
            again = this.prepareRetry(w.name, w.args);
          } catch (e) {
            if (!(e instanceof LocalMutationError)) throw e;
          }
          if (again) {
            this.write(again);
            markResolved(this.sqlite, w.id, 'retry-mine', now);
            continue;
          }
        }
        stopWaiting(this.sqlite, w.id, STOPPED_WAITING);
      }
      return { mutationId };
    });
  }

  /** A conflict as the screen shows it: who it is about, and whether "apply mine again" can work now. */
  private describe(c: StoredConflict): ConflictItem {
    return { ...c, member: this.memberOf(c), retry: this.retryCheck(c) };
  }

  private memberOf(c: StoredConflict): ConflictItem['member'] {
    const a = c.args;
    let userId = typeof a.userId === 'string' ? a.userId : typeof c.current?.user_id === 'string' ? c.current.user_id : null;
    if (!userId && c.entityTable === 'champion' && c.entityId) userId = readChampion(this.sqlite, c.entityId)?.user_id ?? null;
    if (!userId) return null;
    const u = this.sqlite.prepare('SELECT id, name FROM user WHERE id = ?').get(userId) as { id: string; name: string } | undefined;
    return u ?? null;
  }

  /** The retry's own checks, without writing: the answer cannot drift from what "retry mine" does. */
  private retryCheck(c: StoredConflict): ConflictItem['retry'] {
    if (c.blockedBy !== null) return { possible: false, why: 'It waits for your decision on an earlier change to the same card.' };
    // A discard that came too late: the change itself is on the server already.
    if (c.code === 'discard_too_late') return { possible: false, why: null };
    try {
      this.prepareRetry(c.name, c.args);
      return { possible: true, why: null };
    } catch (e) {
      if (e instanceof LocalMutationError) return { possible: false, why: plainRetryReason(c, e) };
      throw e;
    }
  }

  /** The coordinator's intent again, on the row as it is now (reads only). */
  private prepareRetry(name: MutationName, rawArgs: Record<string, unknown>): AnyPrepared {
    const parsed = parseMutation({ id: 0, name, args: rawArgs });
    if (!parsed.ok) throw new LocalMutationError('bad_request', parsed.message, 'id');
    const m = parsed.mutation;
    switch (m.name) {
      case 'champion.create': {
        if (readChampion(this.sqlite, m.args.id)) throw new LocalMutationError('conflict', 'id: this champion exists already', 'id');
        return this.prepareCreate({ userId: m.args.userId, cohortId: m.args.cohortId, notes: m.args.notes }, m.args.id);
      }
      case 'champion.move': {
        const row = readChampion(this.sqlite, m.args.id);
        if (row && row.stage === m.args.to) throw new LocalMutationError('conflict', `to: the card is at stage "${m.args.to}" already`, 'to');
        return this.prepareMove({ id: m.args.id, to: m.args.to, reason: m.args.reason });
      }
      case 'champion.setNotes':
        return this.prepareNotes({ id: m.args.id, notes: m.args.notes });
      case 'champion.setCohort':
        return this.prepareCohort({ id: m.args.id, cohortId: m.args.cohortId });
      case 'champion.remove':
        return this.prepareRemove({ id: m.args.id });
      case 'action.record':
        // Same id and idempotency key: if the server did store it after all, it is not stored twice.
        return { name: 'action.record', args: m.args };
    }
  }

  private tx<T>(fn: () => T): T {
    // IMMEDIATE: a pull worker may be writing through its own connection, and a deferred
    // transaction that read first could not then take its turn to write. Durable: the screen
    // says "saved on this laptop" once this returns.
    return durably(this.sqlite, fn);
  }

  private write(p: AnyPrepared): number {
    const now = this.now();
    const id = enqueue(this.sqlite, p.name, p.args, now);
    const changedBy = this.ctx.getUserId() ?? 'unknown';
    const m: Mutation = { id, ...p };
    applyOptimistic(this.sqlite, m, { changedBy, createdAt: now.toISOString() });
    return id;
  }

  private requireRow(table: 'user' | 'cohort' | 'enrollment', id: string, field: string, what: string): void {
    if (!this.sqlite.prepare(`SELECT 1 FROM "${table}" WHERE id = ?`).get(id)) {
      throw new LocalMutationError('not_found', `${field}: no ${what} with id "${id}"`, field);
    }
  }

  private requireChampion(id: string) {
    const row = readChampion(this.sqlite, id);
    if (!row) throw new LocalMutationError('not_found', `id: no champion with id "${id}"`, 'id');
    return row;
  }

  private requireNoChampionFor(userId: string, cohortId: string | null, exceptId: string | null): void {
    const existing = this.sqlite.prepare(CHAMPION_SLOT_HOLDER_SQL).get(slotParams({ user_id: userId, cohort_id: cohortId, id: exceptId })) as
      { id: string } | undefined;
    if (existing) {
      const where = cohortId === null ? 'a global champion row' : 'a champion row for that cohort';
      throw new LocalMutationError(
        'conflict',
        `${cohortId === null ? 'userId' : 'cohortId'}: this member already has ${where} (${existing.id})`,
        cohortId === null ? 'userId' : 'cohortId',
      );
    }
  }
}
