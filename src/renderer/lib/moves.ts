import { STAGES, type Stage } from '../../shared/enums.js';
import { isValidTransition } from '../../shared/stageRules.js';

/** Why a stage cannot be chosen, or null when the move is allowed. */
export function moveBlockedReason(from: Stage, to: Stage): string | null {
  if (from === to) return 'Current stage';
  if (isValidTransition(from, to)) return null;
  return 'Only one step at a time';
}

/** The stage a keyboard user most likely wants: one step forward, else one step back. */
export function defaultTarget(from: Stage): Stage {
  const i = STAGES.indexOf(from);
  return STAGES[i + 1] ?? STAGES[i - 1] ?? from;
}
