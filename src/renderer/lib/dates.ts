// Timestamps are UTC ISO-8601 on the wire, and the local database groups days in UTC
// (timeline.dailyCounts), so the screens group and label days in UTC too: a day header
// and the chart bar for it always agree.

/** `2026-04-20T10:00:00Z` → `2026-04-20`. */
export const utcDay = (iso: string): string => iso.slice(0, 10);

const dayLabelFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

export const dayLabel = (day: string): string => dayLabelFormat.format(new Date(`${day}T00:00:00Z`));
export const timeLabel = (iso: string): string => `${timeFormat.format(new Date(iso))} UTC`;
export const dateLabel = (iso: string): string => dateFormat.format(new Date(iso));

/** "just now", "2 min ago", "3 h ago", "5 days ago" — for "last synced" and "time in stage". */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** "12 days", "3 months" — how long a card has been in its stage. */
export function durationSince(iso: string, now: number): string {
  const days = Math.floor(Math.max(0, now - Date.parse(iso)) / 86_400_000);
  if (days < 1) return 'today';
  if (days < 60) return `${days} day${days === 1 ? '' : 's'}`;
  const months = Math.floor(days / 30);
  if (months < 24) return `${months} months`;
  return `${Math.floor(days / 365)} years`;
}

/** An `<input type="date">` value as the inclusive UTC start of that day. */
export const dayStart = (day: string): string => `${day}T00:00:00Z`;

/** An `<input type="date">` value as the exclusive UTC end of that day (the next day's start). */
export function dayEndExclusive(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace('.000Z', 'Z');
}

/** A `<input type="datetime-local">` value (the coordinator's local time) as a UTC ISO timestamp. */
export function localInputToIso(value: string): string | null {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Now as a `<input type="datetime-local">` value in the coordinator's local time. */
export function nowLocalInput(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}T${pad(now.getHours())}:${pad(now.getMinutes())}`;
}
