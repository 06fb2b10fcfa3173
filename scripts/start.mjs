#!/usr/bin/env node
// npm start [-- --server URL] [--data DIR] [--port N  (browser host only)]
//
// Runs the Electron app when the Electron binary is on disk. Where it is not (the package is
// installed by npm ci, but its binary is downloaded separately and the build machines cannot),
// says so plainly and starts the browser host: the same core and renderer, served on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { electronBinary, NATIVE_ELECTRON_BINDING, root } from './electronRuntime.mjs';

const { values } = parseArgs({
  options: { server: { type: 'string' }, port: { type: 'string' }, data: { type: 'string' } },
  strict: true,
});

function forward(child) {
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));
}

const electron = electronBinary();
if (electron.path) {
  if (!existsSync(NATIVE_ELECTRON_BINDING)) {
    console.log('better-sqlite3 is not built for Electron yet; running "npm run rebuild:electron" once…');
    const r = spawnSync('npm', ['run', 'rebuild:electron'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  // `electron-vite preview` builds main, preload and renderer, then runs Electron on them.
  const env = {
    ...process.env,
    ...(values.server ? { AFH_SERVER_URL: values.server } : {}),
    ...(values.data ? { AFH_DATA_DIR: path.resolve(values.data) } : {}),
  };
  forward(spawn('npx', ['electron-vite', 'preview'], { cwd: root, stdio: 'inherit', env }));
} else {
  console.log(`Electron binary not found: ${electron.reason}.\nStarting the browser host instead.`);
  // tsx as a loader of this node (not through npx), so Ctrl-C reaches the host directly.
  const args = ['--import', 'tsx', 'src/main/browserHost/cli.ts'];
  if (values.server) args.push('--server', values.server);
  if (values.port) args.push('--port', values.port);
  if (values.data) args.push('--data', values.data);
  forward(spawn(process.execPath, args, { cwd: root, stdio: 'inherit' }));
}
