import { addDays, dayInZone, dayStartInZone, zonedTimeToMs } from '../../shared/timeZones.js';

// Timestamps are UTC ISO-8601 on the wire and in the database. People read them in one time
// zone: the computer's own unless Settings names another (kept by the core, preferences.get).
// Day headers, chart bars and date filters use that zone's calendar days, and the core counts
// days in the same zone (timeline.dailyCounts), so a day header and its bar always agree.
// Every clock time shown names its zone.

export const systemTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

let zone = systemTimeZone();
let timeFormat: Intl.DateTimeFormat;
let dateFormat: Intl.DateTimeFormat;
function buildFormats(): void {
  timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone: zone, timeZoneName: 'short' });
  dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: zone });
}
buildFormats();

/** Reads every later label in `next` (the App sets it from the preference before the screens render). */
export function setDisplayTimeZone(next: string): void {
  if (next === zone) return;
  zone = next;
  buildFormats();
}

export const displayTimeZone = (): string => zone;

/** `2026-04-20T10:00:00Z` → `2026-04-20`, the UTC calendar day. */
export const utcDay = (iso: string): string => iso.slice(0, 10);

/** The calendar day a timestamp falls on where the coordinator reads it. */
export const localDay = (iso: string): string => dayInZone(iso, zone);

/** Today's calendar day in the display zone. */
export const today = (now: number = Date.now()): string => dayInZone(now, zone);

// A calendar day is a date, not an instant: it is labelled as such (noon UTC never crosses a date line).
const dayLabelFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayOnlyFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'short', timeZone: 'UTC' });
const monthYearFormat = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

export const dayLabel = (day: string): string => dayLabelFormat.format(new Date(`${day}T12:00:00Z`));
/** `Apr 20, 2026` for a calendar day. */
export const dayShortLabel = (day: string): string => dayOnlyFormat.format(new Date(`${day}T12:00:00Z`));
export const monthLabel = (day: string, withYear = false): string => (withYear ? monthYearFormat : monthFormat).format(new Date(`${day}T12:00:00Z`));
/** `09:00 AM GMT+11`: the clock time in the display zone, the zone named. */
export const timeLabel = (iso: string): string => timeFormat.format(new Date(iso));
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

/** "today", "yesterday", "5 days ago", "3 months ago" — how long since a member last did something. */
export function lastActiveLabel(iso: string, now: number): string {
  const days = Math.round((Date.parse(`${today(now)}T00:00:00Z`) - Date.parse(`${localDay(iso)}T00:00:00Z`)) / 86_400_000);
  if (days <= 0) return 'today';
  if (days === 1) return 'yesterday';
  if (days < 60) return `${days} days ago`;
  const months = Math.floor(days / 30);
  if (months < 24) return `${months} months ago`;
  return `${Math.floor(days / 365)} years ago`;
}

/** "12 days", "3 months" — how long a card has been in its stage. */
export function durationSince(iso: string, now: number): string {
  return durationLabel(Math.max(0, now - Date.parse(iso)));
}

/** A span of time in the board's words: "today", "12 days", "3 months", "2 years". */
export function durationLabel(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (days < 1) return 'today';
  if (days < 60) return `${days} day${days === 1 ? '' : 's'}`;
  const months = Math.floor(days / 30);
  if (months < 24) return `${months} months`;
  return `${Math.floor(days / 365)} years`;
}

const noMillis = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** An `<input type="date">` value as the inclusive start of that day in the display zone. */
export const dayStart = (day: string): string => noMillis(Date.parse(dayStartInZone(day, zone)));

/** An `<input type="date">` value as the exclusive end of that day (the next day's start) in the display zone. */
export const dayEndExclusive = (day: string): string => dayStart(addDays(day, 1));

/** A `<input type="datetime-local">` value (a wall-clock time in the display zone) as a UTC ISO timestamp. */
export function localInputToIso(value: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const ms = zonedTimeToMs(m[1]!, Number(m[2]), Number(m[3]), zone);
  return Number.isNaN(ms) ? null : noMillis(ms);
}

/** An instant as a `<input type="datetime-local">` value in the display zone. */
export function isoToLocalInput(ms: number): string {
  const day = dayInZone(ms, zone);
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(ms);
  return `${day}T${clock}`;
}

/** Now as a `<input type="datetime-local">` value in the display zone. */
export const nowLocalInput = (now: Date = new Date()): string => isoToLocalInput(now.getTime());
