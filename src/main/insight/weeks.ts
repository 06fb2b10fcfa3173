// Weeks run Monday to Sunday in UTC, numbered as the derived tables number them
// (drizzle/client/0003: week w starts on day 7w - 3 after 1970-01-01, a Monday).

const DAY_MS = 86_400_000;

/** The week number of an ISO timestamp (the same arithmetic as `(unixepoch(t) / 86400 + 3) / 7`). */
export function weekOf(iso: string): number {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Math.floor((Math.floor(seconds / 86400) + 3) / 7);
}

/** The Monday a week number starts on, as `YYYY-MM-DD`. */
export function weekStart(week: number): string {
  return new Date((week * 7 - 3) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The weeks a cohort ran, up to the current week: from the week of its start to the week of its
 * end (or now, if it has not ended). A cohort without a start date has no run of its own; it is
 * then `[from, to]` of its activity (`fallback`). Null for a cohort that has not started.
 */
export function runWeeks(
  cohort: { starts_at: string | null; ends_at: string | null },
  now: Date,
  fallback: { from: number; to: number } | null,
): { from: number; to: number } | null {
  const current = weekOf(now.toISOString());
  if (cohort.starts_at !== null && Date.parse(cohort.starts_at) > now.getTime()) return null;
  const from = cohort.starts_at !== null ? weekOf(cohort.starts_at) : fallback?.from;
  if (from === undefined) return null;
  const end = cohort.ends_at !== null && Date.parse(cohort.ends_at) < now.getTime() ? weekOf(cohort.ends_at) : current;
  const to = cohort.starts_at !== null ? end : Math.min(current, Math.max(from, fallback?.to ?? from));
  return to >= from ? { from, to } : { from, to: from };
}

export const daysBefore = (now: Date, days: number): string => new Date(now.getTime() - days * DAY_MS).toISOString();

/** Whole days between two instants, rounded down (never negative). */
export const wholeDaysBetween = (fromIso: string, now: Date): number => Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / DAY_MS));
