import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Preferences } from '../../shared/ipc.js';
import { isTimeZone } from '../../shared/timeZones.js';

// This laptop's display choices (the time zone times are read in), in a small JSON file in the
// data folder. Not in the database: they are not synced, survive a reset of local data, and a
// renderer served from a new port each launch (the browser host) cannot keep them itself.

const PREFERENCES_FILE = 'preferences.json';
const DEFAULTS: Preferences = { timeZone: null };

export class PreferencesStore {
  private readonly file: string;
  private current: Preferences;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, PREFERENCES_FILE);
    this.current = this.read();
  }

  get(): Preferences {
    return { ...this.current };
  }

  set(patch: Partial<Preferences>): Preferences {
    this.current = { ...this.current, ...patch };
    // Written whole to a temporary file, then renamed: a crash leaves the old file or the new one.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.current, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
    return this.get();
  }

  /** A missing, unreadable or hand-edited file means the defaults, never a failure to start. */
  private read(): Preferences {
    try {
      const parsed = Preferences.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (!parsed.success) return { ...DEFAULTS };
      const zone = parsed.data.timeZone;
      return { timeZone: zone !== null && isTimeZone(zone) ? zone : null };
    } catch {
      return { ...DEFAULTS };
    }
  }
}
