import { ACTIVE_WINDOW_DAYS, FORUM_WINDOW_DAYS } from '../../shared/insight.js';

// Every cohort number is stated in words where it appears (docs/insight.md says the same at
// length). The windows come from the same constants the core counts with.

export const DEFINITIONS = {
  linked:
    'A cohort counts only the actions linked to its own enrollments: a member in two cohorts counts in each for what they did there, and actions linked to no enrollment are on the member’s timeline but in no cohort.',
  enrolled: 'Enrollments in the cohort, whatever their status; withdrawn ones are counted, and said.',
  active: `Enrollments with at least one action in the last ${ACTIVE_WINDOW_DAYS} days; the share is of everyone enrolled.`,
  completion: 'Completed the course (marked completed, or a “completed course” action) out of everyone enrolled.',
  atRisk: (days: number) =>
    `Active enrollments, course not completed, with no action for ${days} days, counted from the latest of their last action, their enrollment and the cohort’s start.`,
  weekly: 'Enrollments with at least one action in each week (Monday to Sunday, UTC) of the cohort’s run.',
  funnel:
    'Each step counts the enrollments that reached it or a later one, withdrawn ones included: started a module, completed one, completed the course.',
  modules:
    'Members who started and completed each module, in the course’s order. The module number comes from the action’s details or its module’s id.',
  weeks: 'Actions linked to this cohort’s enrollments each week, by type. The shaded weeks are the cohort’s run.',
  members: 'Progress is the number of different modules completed; last action and forum posts count this cohort’s actions only.',
  suggestions: `Members not in any pipeline, ranked by forum posts (threads and replies) in the last ${FORUM_WINDOW_DAYS} days, then modules completed, then course completion.`,
  selfPaced: (n: number) => `${n.toLocaleString()} self-paced enrollment${n === 1 ? '' : 's'} (no cohort) are in no cohort’s figures.`,
} as const;

export const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${Math.round((100 * part) / whole)}%`);

export const STATUS_LABEL = { planned: 'Planned', active: 'Running', finished: 'Finished' } as const;
