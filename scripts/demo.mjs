#!/usr/bin/env node
// npm run demo: the README's "run it" command.
//
// 1. Starts the reference server with the small demo data set in an embedded PGlite folder
//    (.data/demo-server; generated on the first run, reused after).
// 2. Waits for its "listening on" line.
// 3. Starts the app the way `npm start` does (Electron where installed, else the browser
//    host), pointed at that server, with its own local data in .data/demo-app.
// Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { root } from './electronRuntime.mjs';

const SERVER_DATA = path.join(root, '.data', 'demo-server');
const APP_DATA = path.join(root, '.data', 'demo-app');
const LOGIN = { email: 'coordinator@demo.local', password: 'demo-coordinator' };

/** 8787 when free (a stable URL keeps the demo app signed in across runs), else any free port. */
function pickPort(preferred) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolve(preferred)));
  });
}

const children = [];
let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  let left = children.filter((c) => c.exitCode === null).length;
  if (left === 0) process.exit(code);
  for (const c of children) c.once('exit', () => --left === 0 && process.exit(code));
  setTimeout(() => process.exit(code), 10_000).unref();
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const port = await pickPort(8787);
console.log(`Starting the demo server (data in ${path.relative(root, SERVER_DATA)}; the first run generates the demo data, give it a minute)…`);
const server = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--demo', 'small', '--data', SERVER_DATA, '--port', String(port)], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.push(server);

let ready = false;
const url = await new Promise((resolve) => {
  const lines = createInterface({ input: server.stdout });
  lines.on('line', (line) => {
    const m = /listening on (http:\/\/\S+)/.exec(line);
    if (m && !ready) {
      ready = true;
      resolve(m[1]);
    } else console.log(`[server] ${line}`);
  });
  server.once('exit', (code) => {
    if (ready || stopping) return;
    console.error(`The demo server stopped before it was ready (exit code ${code}).`);
    stopAll(1);
  });
});
console.log(`Demo server: ${url}`);

const app = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), '--server', url, '--data', APP_DATA], {
  cwd: root,
  stdio: 'inherit',
});
children.push(app);
app.once('exit', (code) => stopAll(code ?? 0));
server.once('exit', () => {
  if (!stopping) console.error('The demo server stopped; stopping the app.');
  stopAll(1);
});

console.log(
  `\nSign in with the demo coordinator:\n  server    ${url}\n  email     ${LOGIN.email}\n  password  ${LOGIN.password}\nOther demo logins and the upstream ingest keys (demo-ingest-<source>) are listed in the README.\n(Ctrl-C stops the app and the server.)\n`,
);
