#!/usr/bin/env node
// npm run dist [-- electron-builder args, e.g. --linux AppImage deb]
// Builds the Electron app (electron-vite) and packages it with electron-builder
// (electron-builder.yml: Linux AppImage + deb, macOS dmg, Windows nsis).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { electronBinary, NATIVE_ELECTRON_BINDING, root } from './electronRuntime.mjs';

const electron = electronBinary();
if (!electron.path) {
  console.error(
    `npm run dist needs the Electron download, which is not possible on this machine (${electron.reason}). ` +
      'Packaging fetches Electron for every target platform; run it where npm can install electron.',
  );
  process.exit(1);
}
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(NATIVE_ELECTRON_BINDING)) run('npm', ['run', 'rebuild:electron']);
run('npx', ['electron-vite', 'build']);
run('npx', ['electron-builder', '--config', 'electron-builder.yml', ...process.argv.slice(2)]);
