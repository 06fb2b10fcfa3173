import type Database from 'better-sqlite3';
import { AT_RISK_DAYS_DEFAULT, AtRiskDays } from '../../shared/insight.js';

// The coordinator's own setting for "at risk" (no action for N days), kept with the local data
// like the app's other settings: it never leaves the laptop.

const KEY = 'insight.atRiskDays';

export function atRiskDays(sqlite: Database.Database): number {
  const row = sqlite.prepare('SELECT value FROM setting WHERE key = ?').get(KEY) as { value: string } | undefined;
  const parsed = AtRiskDays.safeParse(row ? Number(row.value) : AT_RISK_DAYS_DEFAULT);
  // A value that is no longer acceptable (edited by hand, an older range) falls back to the default.
  return parsed.success ? parsed.data : AT_RISK_DAYS_DEFAULT;
}

export function setAtRiskDays(sqlite: Database.Database, days: number): number {
  const checked = AtRiskDays.parse(days);
  sqlite.prepare('INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(KEY, String(checked));
  return checked;
}
