import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStaticFile } from './staticFiles.js';

// The renderer's files for both hosts (the browser host over HTTP, Electron's app://), and
// nothing outside the renderer folder whatever the request path says.

let base: string;
let root: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'afh-static-'));
  root = path.join(base, 'renderer');
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(root, 'assets', 'app.js'), 'x');
  writeFileSync(path.join(base, 'secret.txt'), 'not for the page');
  writeFileSync(path.join(base, 'renderer-sibling.txt'), 'nor this');
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('readStaticFile', () => {
  it('serves index.html for the root and files under the folder with their types', async () => {
    expect((await readStaticFile(root, '/'))?.type).toBe('text/html; charset=utf-8');
    expect((await readStaticFile(root, '/assets/app.js'))?.type).toBe('text/javascript; charset=utf-8');
  });

  it('refuses paths that climb out, encoded or not, NUL bytes, a sibling folder with the same prefix, and folders', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/../renderer-sibling.txt',
      '/index.html%00.js',
      '/%E0%A4%A',
      '/assets',
    ]) {
      expect(await readStaticFile(root, p), p).toBeNull();
    }
  });
});
