import { describe, expect, it } from 'vitest';
import { dayInZone, dayRanges, dayStartInZone, isTimeZone, zonedTimeToMs } from './timeZones.js';

// Calendar days in a named zone, including the days a clock change makes 23 or 25 hours long.

describe('days in a time zone', () => {
  it('puts 09:00 in Sydney on its own day, which is the previous day in UTC', () => {
    const t = zonedTimeToMs('2026-11-20', 9, 0, 'Australia/Sydney');
    expect(new Date(t).toISOString()).toBe('2026-11-19T22:00:00.000Z');
    expect(dayInZone(t, 'Australia/Sydney')).toBe('2026-11-20');
    expect(dayInZone(t, 'UTC')).toBe('2026-11-19');
  });

  it('starts each day at local midnight, and a clock-change day is 23 or 25 hours long', () => {
    expect(dayStartInZone('2026-11-20', 'Australia/Sydney')).toBe('2026-11-19T13:00:00.000Z');
    // London: clocks go forward on 29 March 2026 and back on 25 October 2026.
    const hours = (day: string) => {
      const [r] = dayRanges(day, day, 'Europe/London');
      return (Date.parse(r!.end) - Date.parse(r!.start)) / 3600_000;
    };
    expect(hours('2026-03-29')).toBe(23);
    expect(hours('2026-10-25')).toBe(25);
    expect(hours('2026-06-01')).toBe(24);
  });

  it('tiles a range of days with no gap and no overlap', () => {
    const days = dayRanges('2026-03-27', '2026-04-02', 'Europe/London');
    expect(days.map((d) => d.day)).toEqual(['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02']);
    for (let i = 1; i < days.length; i++) expect(days[i]!.start).toBe(days[i - 1]!.end);
  });

  it('knows real zone names and refuses made-up ones', () => {
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
