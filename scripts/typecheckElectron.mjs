#!/usr/bin/env node
// Type-checks the files that import `electron` (the Electron host and the preload). They
// are left out of the main tsconfig because Electron's package (and its types) is installed
// only where its binary could be downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('node_modules/electron/electron.d.ts')) {
  console.log('typecheck:electron skipped: Electron is not installed (its binary cannot be downloaded here)');
  process.exit(0);
}
const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.electron.json', '--noEmit'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
