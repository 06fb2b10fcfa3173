// Whether the Electron runtime (the binary, not the npm package) is present. Since Electron 42
// the package has no install script: `npm ci` installs its launcher and type definitions only,
// and the binary is fetched the first time something requires('electron') — which, under Node on a
// machine that cannot download it, throws. So every script looks for the binary on disk, the
// way the package's own index.js finds it, and never requires the package.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** How to get the binary where the network allows it (Electron's downloader needs Node 22.12+). */
const FETCH_HINT = 'run "npx install-electron" (Node 22.12+ and network access to GitHub) to download it';

/** Path to the Electron executable, or null with the reason it is missing. */
export function electronBinary() {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  if (!existsSync(path.join(pkgDir, 'package.json'))) {
    return { path: null, reason: 'node_modules/electron is not installed (run npm ci)' };
  }
  let rel = null;
  try {
    rel = readFileSync(path.join(pkgDir, 'path.txt'), 'utf8').trim();
  } catch {
    // No path.txt: the binary was never downloaded.
  }
  // Electron's own launcher honours this variable (a binary kept elsewhere); so do we.
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const bin = path.join(override, rel ?? 'electron');
    return existsSync(bin) ? { path: bin, reason: null } : { path: null, reason: `ELECTRON_OVERRIDE_DIST_PATH has no binary at ${bin}` };
  }
  if (!rel) return { path: null, reason: `the Electron binary was never downloaded (no node_modules/electron/path.txt); ${FETCH_HINT}` };
  const bin = path.join(pkgDir, 'dist', rel);
  return existsSync(bin) ? { path: bin, reason: null } : { path: null, reason: `the Electron binary ${bin} is missing; ${FETCH_HINT}` };
}

export const NATIVE_ELECTRON_BINDING = path.join(root, 'native', 'electron', 'better_sqlite3.node');
