import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, DATABASE_FILE } from '../core/createCore.js';
import { openDatabase } from '../db/open.js';
import { memoryTokenStore, plainFileTokenStore } from '../sync/tokenStore.js';
import { ensurePrivateDir, ensurePrivateFile } from './privateFiles.js';

// Issue 14 item 1: another account on the laptop must not be able to read the data folder,
// the database or its WAL/SHM, nor the token files. Real files, real modes.

const modeOf = (p: string): number => statSync(p).mode & 0o777;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function root(): string {
  const r = mkdtempSync(path.join(tmpdir(), 'afh-modes-'));
  roots.push(r);
  return r;
}

describe.skipIf(process.platform === 'win32')('local files are readable by their owner only', () => {
  it('the core creates a new data folder 0700, and the database, its WAL and SHM 0600', async () => {
    const dataDir = path.join(root(), 'fresh', 'data');
    const core = await createCore({ dataDir, tokenStore: memoryTokenStore(), autoStart: false });
    try {
      const db = path.join(dataDir, DATABASE_FILE);
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(path.dirname(dataDir))).toBe(0o700);
      expect(modeOf(db)).toBe(0o600);
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(modeOf(`${db}-wal`)).toBe(0o600);
      expect(modeOf(`${db}-shm`)).toBe(0o600);
    } finally {
      await core.close();
    }
  });

  it('a data folder an older release left 0755, with its files 0644, is narrowed on start', async () => {
    const dataDir = path.join(root(), 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const db = path.join(dataDir, DATABASE_FILE);
    openDatabase(db).close();
    for (const f of [db, `${db}-wal`, `${db}-shm`]) {
      if (!existsSync(f)) writeFileSync(f, '');
      chmodSync(f, 0o644);
    }
    expect(modeOf(dataDir)).toBe(0o755);

    const core = await createCore({ dataDir, tokenStore: memoryTokenStore(), autoStart: false });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      for (const f of [db, `${db}-wal`, `${db}-shm`]) expect(modeOf(f)).toBe(0o600);
    } finally {
      await core.close();
    }
  });

  it('a database opened on its own (the CLI’s --db) is created 0600, WAL and SHM too', () => {
    const db = path.join(root(), 'cli.sqlite');
    const app = openDatabase(db);
    try {
      expect([modeOf(db), modeOf(`${db}-wal`), modeOf(`${db}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    } finally {
      app.close();
    }
  });

  it('the browser host’s and the CLI’s token file is written 0600, and one left 0644 is narrowed when read', () => {
    const file = path.join(root(), 'session-token');
    const store = plainFileTokenStore(file);
    store.save('tok-1');
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o644);
    expect(store.load()).toBe('tok-1');
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o644);
    store.save('tok-2');
    expect(modeOf(file)).toBe(0o600);
  });

  it('ensurePrivateDir and ensurePrivateFile leave contents alone and only narrow modes', () => {
    const dir = path.join(root(), 'd');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    const file = path.join(dir, 'f');
    writeFileSync(file, 'kept', { mode: 0o666 });
    chmodSync(file, 0o666);
    ensurePrivateDir(dir);
    ensurePrivateFile(file);
    expect([modeOf(dir), modeOf(file)]).toEqual([0o700, 0o600]);
    expect(statSync(file).size).toBe(4);
  });
});
