import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run server -- …` as an operator runs it: a real child process, its stdout line, signals, exit codes.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[]) {
  const child = spawn(TSX, ['src/server/cli.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('npm run server', () => {
  it('prints exactly one "listening on" line when ready, serves health, and exits 0 on SIGTERM', async () => {
    const data = mkdtempSync(path.join(tmpdir(), 'afh-cli-'));
    dirs.push(data);
    const p = run(['--port', '0', '--data', data]);
    for (let i = 0; i < 600 && !p.out().includes('\n'); i++) await new Promise((r) => setTimeout(r, 100));
    const lines = p.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0]!);
    expect(m, p.out() + p.err()).not.toBeNull();
    const health = await (await fetch(`${m![1]}/v1/health`)).json();
    expect(health).toEqual({ ok: true, db: 'pglite', protocol: 2, databaseId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown as string });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out().trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--demo', 'medium'], '--demo'],
    [['--bogus'], 'bogus'],
    [['--host', 'a host'], '--host'],
  ])('a bad flag %j exits 2 with an error naming %s', async (args, flag) => {
    const p = run(args);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain(flag);
    expect(p.out()).toBe('');
  });
});
