import type { ConflictItem } from '../../shared/ipc.js';

export interface ConflictView {
  title: string;
  /** What the server holds now, in plain words. */
  server: string;
  /** What the coordinator wanted: their text is kept here and never dropped. */
  mine: string;
  /** What happened, in plain words (never the server's field keys or validation text). */
  explanation: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

const GONE = '(the card is no longer on the server)';

/** What the coordinator asked for, in plain words. */
function mineText(c: ConflictItem): string {
  const a = c.args;
  switch (c.name) {
    case 'champion.setNotes':
      return str(a.notes) || '(empty)';
    case 'champion.move':
      return `Move ${str(a.from)} → ${str(a.to)}${a.reason ? ` — “${str(a.reason)}”` : ''}`;
    case 'champion.create':
      return str(a.notes) ? `Add as candidate — notes: ${str(a.notes)}` : 'Add as candidate';
    case 'champion.setCohort':
      return `Cohort: ${str(a.cohortId) || 'global'}`;
    case 'champion.remove':
      return 'Remove from the pipeline';
    case 'action.record':
      return `${str(a.actionType).replace(/_/g, ' ')} at ${str(a.occurredAt)}`;
  }
}

/** What the server holds now, in plain words. */
function serverText(c: ConflictItem): string {
  const cur = c.current;
  if (c.code === 'server_changed') return '(not sent to this server)';
  if (c.code === 'discard_too_late') return '(applied before your discard arrived)';
  switch (c.name) {
    case 'champion.setNotes':
      return cur ? str(cur.notes) || '(empty)' : GONE;
    case 'champion.move':
    case 'champion.remove':
      return cur ? `Stage: ${str(cur.stage)}` : GONE;
    case 'champion.create':
      return cur ? `Stage: ${str(cur.stage)}${cur.notes ? ` — notes: ${str(cur.notes)}` : ''}` : '(not added)';
    case 'champion.setCohort':
      return cur ? `Cohort: ${str(cur.cohort_id) || 'global'}` : GONE;
    case 'action.record':
      return '(not recorded)';
  }
}

function titleOf(c: ConflictItem): string {
  switch (c.code) {
    case 'server_changed':
      return 'Made while signed in to another server';
    case 'discard_too_late':
      return 'The discard came too late: the change was already applied';
    case 'blocked':
      return 'Not sent: it came after a refused change to this card';
    case 'out_of_scope':
      return 'This member is no longer in your communities';
    case 'duplicate_champion':
      return c.name === 'champion.setCohort' ? 'This person already has a card in that cohort' : 'This person is already in that pipeline';
    case 'not_found':
      return c.name === 'action.record'
        ? 'The action could not be recorded'
        : c.name === 'champion.create'
          ? 'The candidate could not be added'
          : 'This card is no longer on the server';
    case 'invalid_transition':
      return c.name === 'champion.remove' ? 'The candidate could not be removed' : 'This move skips a stage';
    case 'invalid_args':
      if (c.name === 'champion.move' && c.message.includes('args.at')) return 'The move was refused: this computer’s clock was ahead';
      return c.name === 'action.record' ? 'The action could not be recorded' : 'The server could not accept this change';
    case 'stale':
      switch (c.name) {
        case 'champion.setNotes':
          return 'Notes were changed by someone else';
        case 'champion.setCohort':
          return 'The cohort was changed by someone else';
        case 'champion.remove':
          return 'The candidate could not be removed';
        default:
          return 'The stage was changed by someone else';
      }
  }
}

function explanationOf(c: ConflictItem): string {
  switch (c.code) {
    case 'server_changed':
      return 'You made this while signed in to another server, so it was not sent here.';
    case 'discard_too_late':
      return 'The server had already applied this change when your discard reached it, so it stays. Change it again if you need to.';
    case 'blocked':
      return c.blockedBy !== null
        ? 'It was made on top of the refused change above, so it waits for your decision on that one.'
        : 'It was made on top of a change that was not sent, so it was not sent either.';
    case 'stale':
      return 'Someone else changed this card before your change reached the server, so yours was not applied.';
    case 'out_of_scope':
      return 'This member is not in the communities you look after, so the server did not apply your change. Your text is kept here; ask a superadmin if they should be in your communities.';
    case 'duplicate_champion':
      return 'The server already has a card for this person there, so yours was not added.';
    case 'not_found':
      return 'What this change refers to is no longer on the server, so it was not applied.';
    case 'invalid_transition':
      return c.name === 'champion.remove' ? 'Only a candidate can be removed, and this card has moved on.' : 'A card moves one stage at a time.';
    case 'invalid_args':
      if (c.name === 'champion.move' && c.message.includes('args.at'))
        return 'The time stamped on the move was ahead of the server’s clock. Apply it again: this laptop now stamps the server’s time.';
      return 'The server could not accept this change as it was made.';
  }
}

/** Plain words for a refused change: what the server has, what the coordinator asked for, and why. */
export function describeConflict(c: ConflictItem): ConflictView {
  return { title: titleOf(c), server: serverText(c), mine: mineText(c), explanation: explanationOf(c) };
}

/** What resolving did, in plain words, for the screen to say afterwards. */
export function resolutionText(c: ConflictItem, resolution: 'keep-server' | 'retry-mine'): string {
  const about = c.member ? ` for ${c.member.name}` : '';
  const what = c.name === 'action.record' ? 'action' : c.name === 'champion.setNotes' ? 'notes' : 'change';
  if (c.code === 'discard_too_late') return `Your ${what}${about} stays as the server applied it.`;
  return resolution === 'keep-server'
    ? `Kept the server’s version${about}: your ${what} was not sent.`
    : `Your ${what}${about} is queued again and is sent at the next sync.`;
}
