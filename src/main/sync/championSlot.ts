// The one-champion-per-(user, cohort) rule (docs/architecture.md, "Domain rules"), kept by the
// unique indexes champion_user_cohort_unique and champion_user_global_unique. `cohort_id IS ?`
// matches NULL to NULL as well, so one predicate covers the cohort slots and the global one.
// The indexes refuse a second row anyway; these statements exist to name the holder (a local
// change's error) or to clear it (a server row that must win over a stale local one).
const IN_SLOT = 'user_id = ? AND cohort_id IS ? AND id IS NOT ?';

/** The id of the row holding a champion's slot, other than the champion itself: params of `slotParams`. */
export const CHAMPION_SLOT_HOLDER_SQL = `SELECT id FROM champion WHERE ${IN_SLOT}`;
/** Delete whatever else holds a champion's slot: params of `slotParams`. */
export const CLEAR_CHAMPION_SLOT_SQL = `DELETE FROM champion WHERE ${IN_SLOT}`;

/** The slot's parameters for a champion row (`id` null: a row not written yet). */
export const slotParams = (r: { user_id?: unknown; cohort_id?: unknown; id?: unknown }): unknown[] => [r.user_id, r.cohort_id, r.id];
