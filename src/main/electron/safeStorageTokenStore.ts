import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { z } from 'zod';
import { narrowIfPresent, writePrivateFile } from '../localData/privateFiles.js';
import { plainFileTokenStore, type TokenStorageKind, type TokenStore } from '../sync/tokenStore.js';

// The session token at rest. Where the OS can encrypt (Keychain, DPAPI, a Linux keyring), it
// is stored encrypted by safeStorage. Where it cannot (Linux with no keyring: safeStorage's
// 'basic_text' backend, whose "encryption" uses a key built into Chromium), a token on disk
// would be as good as plain text, so it stays in memory and the coordinator signs in again
// after a restart, unless they choose, in Settings, to keep it in a file only they can read.

export const ENCRYPTED_TOKEN_FILE = 'session-token.enc';
export const PLAIN_TOKEN_FILE = 'session-token';
/** The coordinator's choice for a machine without a keyring. */
export const TOKEN_CHOICE_FILE = 'token-storage.json';

const Choice = z.object({ keepOnDisk: z.boolean() });

export interface ElectronTokenStore extends TokenStore {
  /** Resolves when every save and clear so far has reached the disk (the host awaits it before quitting). */
  flush(): Promise<void>;
}

interface ElectronTokenStoreOptions {
  platform?: NodeJS.Platform;
  log?: (line: string) => void;
}

/** Whether safeStorage really encrypts here. Call after the app is ready (before, Linux reports 'unknown'). */
async function osEncrypts(platform: NodeJS.Platform): Promise<boolean> {
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') return false;
  }
  return safeStorage.isAsyncEncryptionAvailable();
}

/** Runs disk writes one after another, in the order they were asked for, so a clear can never be overtaken by an earlier save. */
function writeQueue(log: (line: string) => void) {
  let tail: Promise<void> = Promise.resolve();
  return {
    push(job: () => Promise<void> | void): void {
      tail = tail.then(job).catch((err: unknown) => {
        log(`[afh] could not write the sign-in token: ${err instanceof Error ? err.message : String(err)}`);
      });
    },
    flush: () => tail,
  };
}

async function encryptedStore(dataDir: string, log: (line: string) => void): Promise<ElectronTokenStore> {
  const file = path.join(dataDir, ENCRYPTED_TOKEN_FILE);
  const queue = writeQueue(log);
  let token: string | null = null;
  let reEncrypt = false;
  if (existsSync(file)) {
    narrowIfPresent(file);
    try {
      const out = await safeStorage.decryptStringAsync(readFileSync(file));
      token = out.result.length > 0 ? out.result : null;
      reEncrypt = out.shouldReEncrypt;
    } catch {
      // Encrypted under a key this login no longer has (another machine, a reset keyring): sign in again.
      token = null;
    }
  }
  const store: ElectronTokenStore = {
    kind: 'safeStorage',
    load: () => token,
    save(t) {
      token = t;
      queue.push(async () => writePrivateFile(file, await safeStorage.encryptStringAsync(t)));
    },
    clear() {
      token = null;
      queue.push(() => rmSync(file, { force: true }));
    },
    flush: () => queue.flush(),
  };
  // A token an earlier release left in a plain file (a keyring that was missing then) moves into the keychain.
  const plain = plainFileTokenStore(path.join(dataDir, PLAIN_TOKEN_FILE));
  const leftover = plain.load();
  if (leftover !== null) {
    if (token === null) store.save(leftover);
    plain.clear();
  } else if (reEncrypt && token !== null) {
    store.save(token);
  }
  return store;
}

function readChoice(file: string): boolean {
  try {
    const parsed = Choice.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success && parsed.data.keepOnDisk;
  } catch {
    return false;
  }
}

function unencryptedStore(dataDir: string, log: (line: string) => void): ElectronTokenStore {
  const choiceFile = path.join(dataDir, TOKEN_CHOICE_FILE);
  const file = plainFileTokenStore(path.join(dataDir, PLAIN_TOKEN_FILE));
  let keepOnDisk = readChoice(choiceFile);
  let token = file.load();
  if (!keepOnDisk && token !== null) {
    // Written by an earlier release, which fell back to a plain file without asking: keep the
    // sign-in for this run, but not on the disk.
    file.clear();
  }
  log(
    keepOnDisk
      ? '[afh] No keyring on this system: the sign-in token is kept in a file readable only by you, as chosen in Settings.'
      : '[afh] No keyring on this system: the sign-in token is kept in memory only (sign in again after a restart; Settings can change this).',
  );
  return {
    get kind(): TokenStorageKind {
      return keepOnDisk ? 'plain-file' : 'memory';
    },
    load: () => token,
    save(t) {
      token = t;
      if (keepOnDisk) file.save(t);
    },
    clear() {
      token = null;
      file.clear();
    },
    flush: () => Promise.resolve(),
    plainTextOptIn: {
      enabled: () => keepOnDisk,
      set(enabled) {
        keepOnDisk = enabled;
        writePrivateFile(choiceFile, JSON.stringify({ keepOnDisk: enabled }));
        if (enabled && token !== null) file.save(token);
        if (!enabled) file.clear();
      },
    },
  };
}

/** The token store for this machine; call once the app is ready. */
export async function openElectronTokenStore(dataDir: string, opts: ElectronTokenStoreOptions = {}): Promise<ElectronTokenStore> {
  const log = opts.log ?? ((line: string) => console.warn(line));
  return (await osEncrypts(opts.platform ?? process.platform)) ? encryptedStore(dataDir, log) : unencryptedStore(dataDir, log);
}
