// `npx tsx bench/loginUnderLoad.ts [--rounds 8] [--junk 30] [--postgres]`
// How long a coordinator's real login takes while junk logins (unknown emails) are in flight.
// A benchmark, not a test: it reports, it does not assert (docs/benchmarks.md, "Login under load").
//
// The server runs in its own process (this script re-run with --serve) at its default password
// cost, over a fresh PGlite folder (or a fresh PostgreSQL database with --postgres). Each round
// fires `junk` logins for made-up emails at once from one loopback address (127.0.1.R: a new one
// per round, as a stranger's), then, while they are in flight, one real login from 127.0.0.2
// (the coordinator's own address), and times that real login. Linux routes all of 127/8 to
// loopback, so the two callers are told apart by their address as two hosts would be.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { round, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    rounds: { type: 'string', default: '8' },
    junk: { type: 'string', default: '30' },
    postgres: { type: 'boolean', default: false },
  },
  strict: true,
});

const EMAIL = 'coordinator@bench.local';
const PASSWORD = 'bench-coordinator-password';

if (values.serve !== undefined) {
  // Child: the server, at its defaults, with one coordinator.
  const { startServer } = await import('../src/server/startServer.js');
  const s = await startServer({ data: values.serve, port: 0, host: '127.0.0.1' });
  await s.admin.createUser({ id: 'usr_bench_coord', email: EMAIL, name: 'Bench Coordinator', roles: ['admin'], password: PASSWORD });
  process.stdout.write(`listening on ${s.url}\n`);
  process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
} else {
  await main();
}

function post(url: string, body: unknown, localAddress: string): Promise<{ status: number; ms: number }> {
  const u = new URL(url);
  const text = JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

async function main(): Promise<void> {
  const rounds = Number(values.rounds);
  const junk = Number(values.junk);
  let data: string;
  let dispose: () => Promise<void>;
  if (values.postgres) {
    const pg = (await import('pg')).default;
    const name = `afh_bench_login_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    data = `postgres://postgres@127.0.0.1:5432/${name}`;
    dispose = async () => {
      const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'afh-bench-login-'));
    data = dir;
    dispose = async () => rmSync(dir, { recursive: true, force: true });
  }
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('bench/loginUnderLoad.ts'), '--serve', data], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening on (\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  try {
    const login = `${url}/v1/auth/login`;
    const real = () => post(login, { email: EMAIL, password: PASSWORD }, '127.0.0.2');
    // Warm up (first hashes, JIT, connection set-up), then the idle figure.
    for (let i = 0; i < 3; i++) await real();
    const idle: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await real();
      if (r.status !== 200) throw new Error(`the real login failed with ${r.status}`);
      idle.push(r.ms);
    }
    const loaded: number[] = [];
    const junkMs: number[] = [];
    const junkStatus = new Map<number, number>();
    for (let r = 0; r < rounds; r++) {
      const from = `127.0.1.${r + 1}`;
      const wave = Array.from({ length: junk }, () =>
        post(login, { email: `nobody-${randomBytes(6).toString('hex')}@bench.local`, password: 'guess' }, from),
      );
      // Let the wave reach the server first, as a login arriving during an attack would.
      await new Promise((res) => setTimeout(res, 20));
      const r1 = await real();
      if (r1.status !== 200) throw new Error(`the real login under load failed with ${r1.status}`);
      loaded.push(r1.ms);
      for (const j of await Promise.all(wave)) {
        junkMs.push(j.ms);
        junkStatus.set(j.status, (junkStatus.get(j.status) ?? 0) + 1);
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    const idleS = summarize(idle);
    const loadedS = summarize(loaded);
    const junkS = summarize(junkMs);
    const result = {
      backend: values.postgres ? 'postgres' : 'pglite',
      junkInFlight: junk,
      rounds,
      realLoginIdleMs: { p50: round(idleS.p50, 1), max: round(Math.max(...idle), 1) },
      realLoginUnderLoadMs: { p50: round(loadedS.p50, 1), p95: round(loadedS.p95, 1), max: round(Math.max(...loaded), 1) },
      junkLoginMs: { p50: round(junkS.p50, 1), max: round(Math.max(...junkMs), 1) },
      junkStatuses: Object.fromEntries(junkStatus),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await new Promise<void>((res) => {
      if (child.exitCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
    });
    await dispose();
  }
}
