// Calendar days in a named time zone (IANA, e.g. `Australia/Sydney`), for the screens and the
// core alike: a timestamp stays UTC on the wire and in both databases, and only the day it
// falls on and the clock time a person reads depend on where they are. Intl knows every
// zone's offsets and their daylight-saving changes, so nothing here hard-codes an offset.

/** A zone name Intl accepts (`UTC`, `Europe/London`, …). */
export function isTimeZone(zone: string): boolean {
  if (zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let f = partsFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(zone, f);
  }
  return f;
}

/** The wall-clock fields of an instant in a zone. */
function wallClock(ms: number, zone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const out: Record<string, number> = {};
  for (const p of partsFormat(zone).formatToParts(ms)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { y: out.year!, mo: out.month!, d: out.day!, h: out.hour!, mi: out.minute!, s: out.second! };
}

/** How far the zone's clock is ahead of UTC at that instant, in ms. */
function zoneOffsetMs(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The calendar day (`YYYY-MM-DD`) an instant falls on in a zone. */
export function dayInZone(iso: string | number, zone: string): string {
  const w = wallClock(typeof iso === 'number' ? iso : Date.parse(iso), zone);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}`;
}

/** `YYYY-MM-DD` plus `n` calendar days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * The instant a wall-clock time (`YYYY-MM-DD`, hours, minutes) happens in a zone, in ms. Two
 * rounds settle it across a daylight-saving change; a time the change skips lands just after it.
 */
export function zonedTimeToMs(day: string, hours: number, minutes: number, zone: string): number {
  const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, mo - 1, d, hours, minutes);
  let t = wall - zoneOffsetMs(wall, zone);
  const second = wall - zoneOffsetMs(t, zone);
  if (second !== t) t = Math.max(t, second);
  return t;
}

/** The first instant of a calendar day in a zone, as the one ISO form every stored timestamp has. */
export function dayStartInZone(day: string, zone: string): string {
  return new Date(zonedTimeToMs(day, 0, 0, zone)).toISOString();
}

/** Each day from `first` to `last` (inclusive) with its [start, end) instants in the zone. */
export function dayRanges(first: string, last: string, zone: string, maxDays = 40_000): { day: string; start: string; end: string }[] {
  const out: { day: string; start: string; end: string }[] = [];
  let day = first;
  let start = dayStartInZone(day, zone);
  for (let i = 0; i < maxDays && day <= last; i++) {
    const next = addDays(day, 1);
    const end = dayStartInZone(next, zone);
    out.push({ day, start, end });
    day = next;
    start = end;
  }
  return out;
}
