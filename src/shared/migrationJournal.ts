// Node-only (reads a file): shared by the app's and the server's start-up checks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The newest migration a migrations folder ships: its journal's largest `when`, which drizzle's
 * migrators store as `created_at` when they apply it. A database holding a larger one was
 * written by a newer release.
 */
export function newestShippedMigration(migrationsFolder: string): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return Math.max(0, ...journal.entries.map((e) => e.when));
}
