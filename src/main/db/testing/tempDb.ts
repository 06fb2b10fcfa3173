import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type AppDb } from '../open.js';

/** A fresh database file in its own temp folder; `dispose` closes it and removes the folder. */
export function tempDatabase(): { app: AppDb; dir: string; file: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'afh-db-'));
  const file = join(dir, 'local.sqlite');
  const app = openDatabase(file);
  return {
    app,
    dir,
    file,
    dispose: () => {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
