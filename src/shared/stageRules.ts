import { STAGES, type Stage } from './enums.js';

// Pure pipeline rules shared by the server (authoritative) and the app (optimistic),
// so both sides agree on what a move means without a round trip.

/** A move is one step forward or one step back. */
export function isValidTransition(from: Stage, to: Stage): boolean {
  const d = STAGES.indexOf(to) - STAGES.indexOf(from);
  return d === 1 || d === -1;
}

/**
 * The `champion` role follows the user's champion rows: present while any of them is at
 * stage `champion`, removed when the last one leaves it. Returns the roles to store.
 */
export function rolesAfterStageChange(roles: readonly string[], anyActiveChampionRow: boolean): string[] {
  const has = roles.includes('champion');
  if (anyActiveChampionRow && !has) return [...roles, 'champion'];
  if (!anyActiveChampionRow && has) return roles.filter((r) => r !== 'champion');
  return [...roles];
}

/** Timestamps set when a row enters a stage: `selected_at` on selected, `became_champion_at` on champion if unset. */
export function stampsForStage(
  to: Stage,
  at: string,
  current: { selected_at: string | null; became_champion_at: string | null },
): { selected_at: string | null; became_champion_at: string | null } {
  return {
    selected_at: to === 'selected' ? at : current.selected_at,
    became_champion_at: to === 'champion' && !current.became_champion_at ? at : current.became_champion_at,
  };
}
