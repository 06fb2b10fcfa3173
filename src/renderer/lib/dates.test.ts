import { describe, expect, it } from 'vitest';
import { dayEndExclusive, dayStart, durationSince, localInputToIso, relativeTime, utcDay } from './dates.js';

const NOW = Date.parse('2026-04-20T12:00:00Z');

describe('relative labels', () => {
  it('says "just now" under 45 seconds and counts minutes, hours and days after that', () => {
    expect(relativeTime('2026-04-20T11:59:30Z', NOW)).toBe('just now');
    expect(relativeTime('2026-04-20T11:58:00Z', NOW)).toBe('2 min ago');
    expect(relativeTime('2026-04-20T09:00:00Z', NOW)).toBe('3 h ago');
    expect(relativeTime('2026-04-19T12:00:00Z', NOW)).toBe('1 day ago');
    expect(relativeTime('2026-04-15T12:00:00Z', NOW)).toBe('5 days ago');
  });

  it('treats a timestamp slightly in the future (clock skew) as just now', () => {
    expect(relativeTime('2026-04-20T12:00:10Z', NOW)).toBe('just now');
  });

  it('reports time in stage as today, days, then months and years', () => {
    expect(durationSince('2026-04-20T08:00:00Z', NOW)).toBe('today');
    expect(durationSince('2026-04-08T12:00:00Z', NOW)).toBe('12 days');
    expect(durationSince('2026-01-10T12:00:00Z', NOW)).toBe('3 months');
    expect(durationSince('2023-04-01T12:00:00Z', NOW)).toBe('3 years');
  });
});

describe('date range bounds', () => {
  it('turns a picked day into an inclusive UTC start and the next day as exclusive end', () => {
    expect(dayStart('2026-04-20')).toBe('2026-04-20T00:00:00Z');
    expect(dayEndExclusive('2026-04-20')).toBe('2026-04-21T00:00:00Z');
  });

  it('rolls the exclusive end over month and year boundaries', () => {
    expect(dayEndExclusive('2026-02-28')).toBe('2026-03-01T00:00:00Z');
    expect(dayEndExclusive('2025-12-31')).toBe('2026-01-01T00:00:00Z');
  });

  it('groups by the UTC calendar day of the timestamp', () => {
    expect(utcDay('2026-04-20T23:59:59Z')).toBe('2026-04-20');
  });

  it('converts a datetime-local value to a UTC timestamp without milliseconds, and rejects garbage', () => {
    const iso = localInputToIso('2026-04-20T10:30');
    expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(iso!)).toBe(new Date(2026, 3, 20, 10, 30).getTime());
    expect(localInputToIso('not a date')).toBeNull();
  });
});

describe('the display time zone', () => {
  it('reads typed times, day bounds and day groups in the chosen zone, and names the zone in clock times', async () => {
    const {
      setDisplayTimeZone,
      systemTimeZone,
      localInputToIso: toIso,
      dayStart: start,
      localDay,
      timeLabel,
      isoToLocalInput,
    } = await import('./dates.js');
    try {
      setDisplayTimeZone('Australia/Sydney');
      expect(toIso('2026-11-20T09:00')).toBe('2026-11-19T22:00:00Z');
      expect(localDay('2026-11-19T22:00:00Z')).toBe('2026-11-20');
      expect(start('2026-11-20')).toBe('2026-11-19T13:00:00Z');
      expect(isoToLocalInput(Date.parse('2026-11-19T22:00:00Z'))).toBe('2026-11-20T09:00');
      expect(timeLabel('2026-11-19T22:00:00Z')).toMatch(/09:00.*(GMT\+11|AEDT)/);
      setDisplayTimeZone('UTC');
      expect(timeLabel('2026-11-19T22:00:00Z')).toMatch(/(22:00|10:00 PM).*UTC/);
    } finally {
      setDisplayTimeZone(systemTimeZone());
    }
  });
});
