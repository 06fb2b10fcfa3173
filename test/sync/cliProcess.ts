import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

// The CLI as a child process. It is bundled once per test file (same source, packages left
// external) because starting it through tsx costs ~2 s per process, and the crash test starts
// it a few dozen times. The bundle lives under node_modules/.cache so that its bare imports
// (better-sqlite3, drizzle-orm, zod) resolve to this checkout's node_modules.
// Its real path: the CLI runs only when `import.meta.url` (always the real path) names argv[1], so a
// bundle reached through a symlinked node_modules (a git worktree's) exited 0 having done nothing.

export interface CliBundle {
  file: string;
  dispose(): void;
}

export async function bundleCli(): Promise<CliBundle> {
  const dir = join(realpathSync(join(process.cwd(), 'node_modules')), '.cache', 'afh-sync-test', `cli-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  // The pull worker's entry is bundled next to the CLI, as the Electron build does it, so a
  // killed sync exercises the worker thread as the app runs it (sync/pullWorker.ts finds it).
  await build({
    entryPoints: { main: join(process.cwd(), 'src/main/cli/main.ts'), pullWorkerMain: join(process.cwd(), 'src/main/sync/pullWorkerMain.ts') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: dir,
    logLevel: 'silent',
  });
  return { file: join(dir, 'main.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr contains `text` (or the process ends first). */
  waitForStderr(text: string): Promise<boolean>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(bundle: CliBundle, args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [bundle.file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: (b: boolean) => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) {
      if (err.includes(w.text)) w.resolve(true);
      else waiters.push(w);
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(false);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForStderr: (text) => (err.includes(text) ? Promise.resolve(true) : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}
