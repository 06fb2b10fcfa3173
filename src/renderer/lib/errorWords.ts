import type { IpcError } from '../../shared/ipc.js';
import { NOTES_MAX, REASON_MAX, SEARCH_QUERY_MAX, TARGET_ID_MAX, TIMESTAMP_MIN } from '../../shared/limits.js';

// What a person reads when a call fails. The core's messages for its own checks begin with
// the field's key ("occurredAt: must be on or after 2000-01-01", "userId: this member already
// has …"): right for a log, wrong for a person. Those are replaced here by plain words about
// that field, which the form shows next to the field. Messages already written for people
// (sign-in, the network, the app's host) pass through as they are.

export interface Problem {
  /** The field at fault (the contract's key), or null for the form as a whole. */
  field: string | null;
  text: string;
}

const firstDay = new Date(TIMESTAMP_MIN).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const n = (v: number) => v.toLocaleString('en-US');

type Code = IpcError['code'];
const FIELD_WORDS: Record<string, (code: Code, detail: string) => string> = {
  serverUrl: () => 'Enter the server’s address, starting with https:// (or http:// on your own network).',
  email: () => 'Enter your email address.',
  password: () => 'Enter your password.',
  occurredAt: (_c, d) => (/future/.test(d) ? 'Choose a time that is not in the future.' : `Choose a date and time from ${firstDay} up to now.`),
  query: () => `Search text can be at most ${n(SEARCH_QUERY_MAX)} characters.`,
  notes: () => `Notes can be at most ${n(NOTES_MAX)} characters.`,
  reason: () => `A reason can be at most ${n(REASON_MAX)} characters.`,
  targetId: () => `A target id can be at most ${n(TARGET_ID_MAX)} characters.`,
  metadata: () => 'The note is too long to store.',
  enrollmentId: (c) => (c === 'not_found' ? 'That enrollment is not on this laptop.' : 'That enrollment belongs to another member.'),
  userId: (c) =>
    c === 'conflict' ? 'This member is already in this pipeline.' : c === 'not_found' ? 'This member is not on this laptop.' : 'Choose a member.',
  cohortId: (c) => (c === 'conflict' ? 'This member is already in that pipeline.' : 'Choose a pipeline from the list.'),
  to: () => 'A card moves one stage at a time: choose the next stage or the one before.',
  id: (c) =>
    c === 'conflict'
      ? 'Only a candidate can be removed, and this card has moved on.'
      : c === 'not_found'
        ? 'This is no longer on this laptop; it may have been removed.'
        : 'This could not be found.',
  after: () => 'The list changed while you were reading it: scroll back to the top to start again.',
  timeZone: () => 'Choose a time zone from the list.',
  actionType: () => 'Choose what the member did.',
  roles: () => 'Choose roles from the list.',
};

const GENERIC = 'That was not accepted. Please check what you entered and try again.';

/** Plain words (and the field) for a failure the core reported. */
export function describeIpcError(error: IpcError): Problem {
  const field = error.field ?? null;
  // "occurredAt: must be …", "after.occurredAt: …", "roles[0]: …": the key, then the detail.
  const keyed = /^([A-Za-z][\w.[\]]*): (.*)$/s.exec(error.message);
  if (!keyed) return { field, text: error.message };
  const key = (field ?? keyed[1]!).split(/[.[]/)[0]!;
  const words = FIELD_WORDS[key];
  return { field: key, text: words ? words(error.code, keyed[2]!) : GENERIC };
}
