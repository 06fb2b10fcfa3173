import { ipcContract, type CallOutput, type ParsedInput } from '../../shared/ipc.js';
import type { LocalMutations } from '../sync/localMutations.js';

// The coordinator's changes from a shell: each command is one IPC call of the app (the same
// schema checks the same input), made offline into the outbox and sent at the next `sync`.
// Flags map to the call's fields; an error names the flag, never the field.

export type ChangeChannel =
  'champion.create' | 'champion.move' | 'champion.setNotes' | 'champion.setCohort' | 'champion.remove' | 'action.record' | 'conflicts.resolve';

export class FlagError extends Error {}

/** The flags of the change commands, as node:util parseArgs returns them. */
export interface ChangeFlags {
  member?: string;
  cohort?: string;
  global?: boolean;
  notes?: string;
  id?: string;
  to?: string;
  reason?: string;
  type?: string;
  enrollment?: string;
  'target-type'?: string;
  'target-id'?: string;
  metadata?: string;
  at?: string;
  conflict?: string;
  resolution?: string;
}

interface CommandSpec {
  channel: ChangeChannel;
  /** flag → the call's field */
  flags: Partial<Record<keyof ChangeFlags, string>>;
  required: (keyof ChangeFlags)[];
  /** --cohort <id> or --global: one of the two. */
  cohortOrGlobal?: boolean;
}

export const CHANGE_COMMANDS: Record<string, CommandSpec> = {
  'champion create': {
    channel: 'champion.create',
    flags: { member: 'userId', cohort: 'cohortId', notes: 'notes' },
    required: ['member'],
    cohortOrGlobal: true,
  },
  'champion move': { channel: 'champion.move', flags: { id: 'id', to: 'to', reason: 'reason' }, required: ['id', 'to'] },
  'champion notes': { channel: 'champion.setNotes', flags: { id: 'id', notes: 'notes' }, required: ['id', 'notes'] },
  'champion cohort': { channel: 'champion.setCohort', flags: { id: 'id', cohort: 'cohortId' }, required: ['id'], cohortOrGlobal: true },
  'champion remove': { channel: 'champion.remove', flags: { id: 'id' }, required: ['id'] },
  'action record': {
    channel: 'action.record',
    flags: {
      member: 'userId',
      type: 'actionType',
      enrollment: 'enrollmentId',
      'target-type': 'targetType',
      'target-id': 'targetId',
      metadata: 'metadata',
      at: 'occurredAt',
    },
    required: ['member', 'type'],
  },
  resolve: { channel: 'conflicts.resolve', flags: { conflict: 'id', resolution: 'resolution' }, required: ['conflict', 'resolution'] },
};

/** Every flag a change command may take (the CLI refuses them on the other commands). */
export const CHANGE_FLAGS = [
  'member',
  'cohort',
  'global',
  'notes',
  'id',
  'to',
  'reason',
  'type',
  'enrollment',
  'target-type',
  'target-id',
  'metadata',
  'at',
  'conflict',
  'resolution',
] as const satisfies readonly (keyof ChangeFlags)[];

/** The call's input from the flags, checked by the call's own schema; a bad flag throws FlagError naming it. */
export function changeInput(command: string, flags: ChangeFlags, now: Date): { channel: ChangeChannel; input: unknown } {
  const spec = CHANGE_COMMANDS[command];
  if (!spec) throw new FlagError(`unknown command "${command}"`);
  for (const f of CHANGE_FLAGS) {
    const given = f === 'global' ? flags.global === true : flags[f] !== undefined;
    if (given && !(f in spec.flags) && !(f === 'global' && spec.cohortOrGlobal)) throw new FlagError(`--${f} does not apply to "${command}"`);
  }
  for (const f of spec.required) if (flags[f] === undefined) throw new FlagError(`--${f} is required for "${command}"`);
  if (spec.cohortOrGlobal) {
    if (flags.cohort !== undefined && flags.global) throw new FlagError('--cohort and --global cannot both be given');
    if (flags.cohort === undefined && !flags.global) throw new FlagError(`"${command}" needs --cohort <id>, or --global for the member's global row`);
  }
  const input: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(spec.flags) as [keyof ChangeFlags, string][]) {
    const v = flags[flag];
    if (typeof v === 'string') input[field] = v;
  }
  if (spec.cohortOrGlobal && flags.global) input.cohortId = null;
  if (spec.channel === 'champion.move' && flags.reason === undefined) input.reason = null;
  if (spec.channel === 'action.record') {
    if (flags.metadata !== undefined) input.metadata = parseMetadata(flags.metadata);
    input.occurredAt ??= now.toISOString();
  }
  if (spec.channel === 'conflicts.resolve') {
    const n = Number(flags.conflict);
    if (!Number.isInteger(n) || n < 1) throw new FlagError('--conflict must be the number of an open conflict (see "conflicts")');
    input.id = n;
  }
  const parsed = ipcContract[spec.channel].input.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    throw new FlagError(`${flagFor(spec, field)}: ${plainIssue(issue.message, field)}`);
  }
  return { channel: spec.channel, input: parsed.data };
}

function parseMetadata(text: string): unknown {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new FlagError('--metadata must be a JSON object, e.g. {"words":120}');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FlagError('--metadata must be a JSON object, e.g. {"words":120}');
  return v;
}

const flagFor = (spec: CommandSpec, field: string): string => {
  const hit = (Object.entries(spec.flags) as [string, string][]).find(([, f]) => f === field);
  return hit ? `--${hit[0]}` : `--${field}`;
};

/** zod's enum text lists the options; others are already plain. */
const plainIssue = (message: string, field: string): string =>
  field === 'occurredAt' ? 'must be a UTC time like 2026-04-20T10:00:00Z' : message.replace(/^Invalid option: expected one of /, 'must be one of ');

/** Run one change through the app's own local mutations (validation against this laptop's data included). */
export function runChange(local: LocalMutations, channel: ChangeChannel, input: unknown): CallOutput<ChangeChannel> {
  switch (channel) {
    case 'champion.create':
      return local.createChampion(input as ParsedInput<'champion.create'>);
    case 'champion.move':
      return local.moveChampion(input as ParsedInput<'champion.move'>);
    case 'champion.setNotes':
      return local.setNotes(input as ParsedInput<'champion.setNotes'>);
    case 'champion.setCohort':
      return local.setCohort(input as ParsedInput<'champion.setCohort'>);
    case 'champion.remove':
      return local.removeChampion(input as ParsedInput<'champion.remove'>);
    case 'action.record':
      return local.recordAction(input as ParsedInput<'action.record'>);
    case 'conflicts.resolve':
      return local.resolveConflict(input as ParsedInput<'conflicts.resolve'>);
  }
}

/** A local refusal's field as the flag the coordinator typed. */
export function flagMessage(command: string, field: string | undefined, message: string): string {
  const spec = CHANGE_COMMANDS[command];
  if (!spec || !field) return message;
  const prefix = `${field}: `;
  return message.startsWith(prefix) ? `${flagFor(spec, field)}: ${message.slice(prefix.length)}` : message;
}
