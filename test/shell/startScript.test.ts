import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { electronBinary } from '../../scripts/electronRuntime.mjs';

// `npm start` runs Electron where its binary is on disk and the browser host where it is not.
// Since Electron 42 npm installs the package (launcher and types) without the binary, so the
// decision rests on the binary. ELECTRON_OVERRIDE_DIST_PATH (honoured by Electron's own
// launcher too) points the check at a folder, which makes both cases reproducible here.

const root = path.resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(path.join(tmpdir(), 'afh-start-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function withOverride<T>(dir: string, fn: () => T): T {
  const saved = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  process.env.ELECTRON_OVERRIDE_DIST_PATH = dir;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.ELECTRON_OVERRIDE_DIST_PATH;
    else process.env.ELECTRON_OVERRIDE_DIST_PATH = saved;
  }
}

describe('finding the Electron binary', () => {
  it('finds a binary where there is one', () => {
    const dist = mkdtempSync(path.join(temp, 'dist-'));
    writeFileSync(path.join(dist, 'electron'), '');
    expect(withOverride(dist, electronBinary)).toEqual({ path: path.join(dist, 'electron'), reason: null });
  });

  it('reports the missing binary, not the package, saying where it looked', () => {
    const empty = mkdtempSync(path.join(temp, 'empty-'));
    const found = withOverride(empty, electronBinary);
    expect(found.path).toBeNull();
    expect(found.reason).toContain(empty);
  });

  it('never loads the electron package to find out (from Electron 42 that would start a download)', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(path.join(root, 'scripts', 'electronRuntime.mjs'), 'utf8');
    expect(source).not.toMatch(/require\(['"]electron['"]\)|import\(['"]electron['"]\)|from ['"]electron['"]/);
  });
});

describe('npm start without the binary', () => {
  it('says why and starts the browser host instead', { timeout: 240_000 }, async () => {
    const empty = mkdtempSync(path.join(temp, 'nobin-'));
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', '0', '--data', path.join(temp, 'data')], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await expect
        .poll(() => out, { timeout: 230_000, interval: 200 })
        .toMatch(/AfH Coordinator \(browser host\) at http:\/\/127\.0\.0\.1:\d+\/#token=/);
      expect(out.split('\n')[0]).toMatch(/^Electron binary not found: ELECTRON_OVERRIDE_DIST_PATH has no binary at /);
      expect(out).toContain('Starting the browser host instead.');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
