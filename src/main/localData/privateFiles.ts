import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';

// Every member's name, email and history sits in the data folder, so nothing in it may be
// readable by another account on the laptop: the folder is 0700 and each file 0600. SQLite
// creates a new database 0644 (less the umask) and gives its -wal and -shm files the mode of
// the database file, so the database file is made 0600 before SQLite first opens it. Modes
// are also narrowed on every start, which repairs a folder or file an older release made.
// (On Windows the modes mean little; the per-user profile folder's ACL does this job there.)

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

function narrow(path: string, mode: number): void {
  if ((statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
}

/** Creates the folder (and any missing parents) 0700, or narrows an existing one to 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  narrow(dir, PRIVATE_DIR_MODE);
}

/** Creates the file empty with 0600 if it is missing (before anything else writes it), or narrows it to 0600. */
export function ensurePrivateFile(file: string): void {
  // 'a' creates without truncating; the mode applies only when it creates.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  narrow(file, PRIVATE_FILE_MODE);
}

/** Narrows the file to 0600 if it exists. */
export function narrowIfPresent(file: string): void {
  try {
    narrow(file, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Writes the whole file, readable only by its owner, whatever mode an earlier copy had. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE });
  narrow(file, PRIVATE_FILE_MODE);
}
