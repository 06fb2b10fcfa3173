#!/usr/bin/env node
// npm run rebuild:electron
//
// better-sqlite3 is a native addon, compiled for one ABI. node_modules holds Node's build
// (tests, the browser host, the CLI). Electron embeds a different V8 and needs its own build,
// so this compiles a copy of better-sqlite3 against Electron's headers (what @electron/rebuild
// does: node-gyp with --runtime=electron --target=<electron version> --dist-url=electron's
// headers) and puts the result in native/electron/better_sqlite3.node. The Electron host
// loads it through better-sqlite3's `nativeBinding` option, so one checkout runs both and
// node_modules is never rebuilt in place.
//
// Needs a C++ toolchain, Python, and the network (Electron's headers are downloaded from
// electronjs.org): it cannot run on the build machines, which have no such download.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

function electronVersion() {
  try {
    return JSON.parse(readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')).version;
  } catch {
    // Not installed: build for the version the project pins.
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const v = pkg.optionalDependencies?.electron ?? pkg.devDependencies?.electron ?? pkg.dependencies?.electron;
    if (!v) throw new Error('no electron version in package.json');
    return v.replace(/^[^\d]*/, '');
  }
}

function nodeGyp() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // npm ships node-gyp with itself.
    return path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  }
}

const version = electronVersion();
const arch = process.env.npm_config_arch ?? process.arch;
const source = path.dirname(require.resolve('better-sqlite3/package.json'));
const work = path.join(root, '.cache', 'better-sqlite3-electron');
const outDir = path.join(root, 'native', 'electron');

console.log(`Building better-sqlite3 for Electron ${version} (${process.platform}-${arch}) in ${path.relative(root, work)}…`);
rmSync(work, { recursive: true, force: true });
mkdirSync(path.dirname(work), { recursive: true });
cpSync(source, work, { recursive: true, filter: (p) => !p.startsWith(path.join(source, 'build')) });

const r = spawnSync(
  process.execPath,
  [nodeGyp(), 'rebuild', '--release', '--runtime=electron', `--target=${version}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
  { cwd: work, stdio: 'inherit', env: { ...process.env, npm_config_runtime: 'electron', npm_config_target: version } },
);
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
if (r.status !== 0 || !existsSync(built)) {
  console.error(
    '\nrebuild:electron failed. It needs a C++ toolchain, Python 3 and network access to download ' +
      "Electron's headers from https://electronjs.org/headers (not possible on the build machines).",
  );
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
copyFileSync(built, path.join(outDir, 'better_sqlite3.node'));
writeFileSync(path.join(outDir, 'build-info.json'), JSON.stringify({ electron: version, platform: process.platform, arch }, null, 2) + '\n');
console.log(`Wrote ${path.relative(root, path.join(outDir, 'better_sqlite3.node'))} (Electron ${version}).`);
