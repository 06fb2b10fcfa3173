import type { ConflictItem } from '../../shared/ipc.js';

export interface ConflictView {
  title: string;
  /** What the server holds now, in plain words. */
  server: string;
  /** What the coordinator wanted: their text is kept here and never dropped. */
  mine: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v == null ? '' : JSON.stringify(v));

/** Plain words for a rejected change: what the server has, and what the coordinator asked for. */
export function describeConflict(c: ConflictItem): ConflictView {
  const a = c.args;
  const cur = c.current;
  switch (c.name) {
    case 'champion.setNotes':
      return {
        title: 'Notes were changed by someone else',
        server: cur ? str(cur.notes) || '(empty)' : '(the card no longer exists)',
        mine: str(a.notes) || '(empty)',
      };
    case 'champion.move':
      return {
        title: 'The stage was changed by someone else',
        server: cur ? `Stage: ${str(cur.stage)}` : '(the card no longer exists)',
        mine: `Move ${str(a.from)} → ${str(a.to)}${a.reason ? ` — “${str(a.reason)}”` : ''}`,
      };
    case 'champion.create':
      return {
        title: c.code === 'duplicate_champion' ? 'This person is already in that pipeline' : 'The candidate could not be added',
        server: cur ? `Stage: ${str(cur.stage)}${cur.notes ? ` — notes: ${str(cur.notes)}` : ''}` : c.message,
        mine: str(a.notes) ? `Add as candidate — notes: ${str(a.notes)}` : 'Add as candidate',
      };
    case 'champion.setCohort':
      return {
        title: 'The cohort was changed by someone else',
        server: cur ? `Cohort: ${str(cur.cohort_id) || 'global'}` : '(the card no longer exists)',
        mine: `Cohort: ${str(a.cohortId) || 'global'}`,
      };
    case 'champion.remove':
      return {
        title: 'The candidate could not be removed',
        server: cur ? `Stage: ${str(cur.stage)}` : '(the card no longer exists)',
        mine: 'Remove from the pipeline',
      };
    case 'action.record':
      return {
        title: 'The action could not be recorded',
        server: c.message,
        mine: `${str(a.actionType)} for ${str(a.userId)} at ${str(a.occurredAt)}`,
      };
  }
}
