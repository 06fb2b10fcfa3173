import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake } from './testing/fakeElectron.js';
import { ENCRYPTED_TOKEN_FILE, openElectronTokenStore, PLAIN_TOKEN_FILE, TOKEN_CHOICE_FILE } from './safeStorageTokenStore.js';

// Issue 14 item 6: the session token at rest, for each safeStorage backend, with `electron`
// replaced by the recording fake (its "encryption" is reversible but never the plain text).

vi.mock('electron', () => import('./testing/fakeElectron.js'));

const TOKEN = 'tok_4f1c9a7e-very-secret';
let dir: string;
let logs: string[];
const log = (l: string) => logs.push(l);
const modeOf = (f: string) => statSync(f).mode & 0o777;
const fileHoldsToken = (f: string) => existsSync(f) && readFileSync(f).includes(TOKEN);

beforeEach(() => {
  fake.reset();
  dir = mkdtempSync(path.join(tmpdir(), 'afh-token-'));
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('with OS encryption (a Linux keyring, macOS Keychain, Windows DPAPI)', () => {
  for (const [platform, backend] of [
    ['linux', 'gnome_libsecret'],
    ['linux', 'kwallet6'],
    ['darwin', 'unknown'],
    ['win32', 'unknown'],
  ] as const) {
    it(`${platform}${platform === 'linux' ? ` (${backend})` : ''}: stores the token encrypted, 0600, and reads it back after a restart`, async () => {
      fake.storageBackend = backend;
      const store = await openElectronTokenStore(dir, { platform, log });
      expect(store.kind).toBe('safeStorage');
      expect(store.plainTextOptIn).toBeUndefined();
      store.save(TOKEN);
      await store.flush();
      const file = path.join(dir, ENCRYPTED_TOKEN_FILE);
      expect(existsSync(file)).toBe(true);
      expect(fileHoldsToken(file)).toBe(false);
      if (process.platform !== 'win32') expect(modeOf(file)).toBe(0o600);
      const again = await openElectronTokenStore(dir, { platform, log });
      expect(again.load()).toBe(TOKEN);
    });
  }

  it('a token an earlier release left in a plain file moves into the encrypted store, and the plain file goes', async () => {
    writeFileSync(path.join(dir, PLAIN_TOKEN_FILE), TOKEN, { mode: 0o600 });
    const store = await openElectronTokenStore(dir, { platform: 'linux', log });
    await store.flush();
    expect(store.load()).toBe(TOKEN);
    expect(existsSync(path.join(dir, PLAIN_TOKEN_FILE))).toBe(false);
    expect((await openElectronTokenStore(dir, { platform: 'linux', log })).load()).toBe(TOKEN);
  });

  it('a save followed at once by a sign-out never leaves the token on disk (writes land in order)', async () => {
    const store = await openElectronTokenStore(dir, { platform: 'linux', log });
    store.save(TOKEN);
    store.clear();
    await store.flush();
    expect(existsSync(path.join(dir, ENCRYPTED_TOKEN_FILE))).toBe(false);
    expect(store.load()).toBeNull();
  });

  it('a file this login cannot decrypt (another machine, a reset keyring) means signing in again, not a crash', async () => {
    writeFileSync(path.join(dir, ENCRYPTED_TOKEN_FILE), 'garbage');
    const store = await openElectronTokenStore(dir, { platform: 'darwin', log });
    expect(store.load()).toBeNull();
  });
});

describe('Linux without a keyring (safeStorage’s basic_text backend)', () => {
  beforeEach(() => {
    fake.storageBackend = 'basic_text';
  });

  it('keeps the token in memory only: nothing is written, and after a restart the coordinator signs in again', async () => {
    const store = await openElectronTokenStore(dir, { platform: 'linux', log });
    expect(store.kind).toBe('memory');
    expect(store.plainTextOptIn?.enabled()).toBe(false);
    store.save(TOKEN);
    await store.flush();
    expect(store.load()).toBe(TOKEN);
    for (const f of [PLAIN_TOKEN_FILE, ENCRYPTED_TOKEN_FILE]) expect(fileHoldsToken(path.join(dir, f))).toBe(false);
    expect((await openElectronTokenStore(dir, { platform: 'linux', log })).load()).toBeNull();
    expect(logs[0]).toMatch(/kept in memory only/);
  });

  it('a plain token file an earlier release wrote is removed at start; the sign-in lasts for this run', async () => {
    writeFileSync(path.join(dir, PLAIN_TOKEN_FILE), TOKEN, { mode: 0o600 });
    const store = await openElectronTokenStore(dir, { platform: 'linux', log });
    expect(store.load()).toBe(TOKEN);
    expect(existsSync(path.join(dir, PLAIN_TOKEN_FILE))).toBe(false);
  });

  it('when the coordinator opts in, the token is kept in a 0600 file and survives a restart; opting out deletes it', async () => {
    const store = await openElectronTokenStore(dir, { platform: 'linux', log });
    store.save(TOKEN);
    store.plainTextOptIn!.set(true);
    expect(store.kind).toBe('plain-file');
    const file = path.join(dir, PLAIN_TOKEN_FILE);
    expect(fileHoldsToken(file)).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.join(dir, TOKEN_CHOICE_FILE))).toBe(0o600);

    const restarted = await openElectronTokenStore(dir, { platform: 'linux', log });
    expect(restarted.kind).toBe('plain-file');
    expect(restarted.load()).toBe(TOKEN);

    restarted.plainTextOptIn!.set(false);
    expect(restarted.kind).toBe('memory');
    expect(existsSync(file)).toBe(false);
    expect(restarted.load()).toBe(TOKEN);
    expect((await openElectronTokenStore(dir, { platform: 'linux', log })).load()).toBeNull();
  });

  it('a choice file that is not ours (edited by hand, corrupt) counts as no opt-in', async () => {
    writeFileSync(path.join(dir, TOKEN_CHOICE_FILE), '{"keepOnDisk":"yes please"}');
    expect((await openElectronTokenStore(dir, { platform: 'linux', log })).kind).toBe('memory');
  });

  it('before the app is ready Linux reports no backend ("unknown"): treated as no encryption, never as a keyring', async () => {
    fake.storageBackend = 'unknown';
    expect((await openElectronTokenStore(dir, { platform: 'linux', log })).kind).toBe('memory');
  });
});

describe('no encryption at all (safeStorage unavailable)', () => {
  it('on any platform the token stays in memory unless the coordinator opts in', async () => {
    fake.encryptionAvailable = false;
    for (const platform of ['darwin', 'win32'] as const) {
      const store = await openElectronTokenStore(dir, { platform, log });
      expect(store.kind).toBe('memory');
      expect(store.plainTextOptIn).toBeDefined();
    }
  });
});
