import { rmSync } from 'node:fs';

// Removing this laptop's data (issue 14): after a revoked device, a lost coordinator role, or
// "Sign out and remove this laptop's data". The caller closes every connection first (the app's,
// the pull worker's) and clears the token store; this deletes the files. secure_delete zeroed
// what was deleted while the file lived; deleting the file hands its blocks back to the disk,
// whose encryption (docs/security.md) is what protects them from then on.

/** The database and everything SQLite keeps beside it. */
const DATABASE_SIDE_FILES = ['', '-wal', '-shm', '-journal'] as const;

export function removeDatabaseFiles(dbFile: string): void {
  for (const suffix of DATABASE_SIDE_FILES) rmSync(dbFile + suffix, { force: true });
}
