import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

// The server runs in its own process so that the client's time and peak RSS are the
// client's alone, as they would be on a coordinator's laptop.

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServerProcess(args: { data: string; demo: 'small' | 'large'; log: (s: string) => void }): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', '--port', '0', '--data', args.data, '--demo', args.demo], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=8192' },
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]!);
      else args.log(`  server: ${line}`);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr.join('').slice(-2000)}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The login every unscoped figure uses: a coordinator holding all communities (since issue 13 the
 * demo coordinator holds a few; the superadmin holds all, which is what these figures measured).
 */
export const ALL_COMMUNITIES = { email: 'superadmin@demo.local', password: 'demo-superadmin' };
/** The demo coordinator: 10 of the large set's 200 cohorts (3 of the small set's 20). */
export const SCOPED_COORDINATOR = { email: 'coordinator@demo.local', password: 'demo-coordinator' };

export async function login(url: string, who: { email: string; password: string } = ALL_COMMUNITIES): Promise<string> {
  const res = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(who),
  });
  if (!res.ok) throw new Error(`demo login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}
