// Whether the Electron runtime (the npm package AND the binary its postinstall downloads)
// is present. The build machines cannot download it, so every script asks this first.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** Path to the Electron executable, or null with the reason it is missing. */
export function electronBinary() {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) {
    return { path: null, reason: 'node_modules/electron is not installed' };
  }
  let rel;
  try {
    rel = readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
  } catch {
    return { path: null, reason: "the electron package is installed but its binary was never downloaded (no path.txt)" };
  }
  const bin = path.join(pkgDir, 'dist', rel);
  return existsSync(bin) ? { path: bin, reason: null } : { path: null, reason: `the Electron binary ${bin} is missing` };
}

export const NATIVE_ELECTRON_BINDING = path.join(root, 'native', 'electron', 'better_sqlite3.node');
