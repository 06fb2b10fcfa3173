import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { plainFileTokenStore, type TokenStore } from '../sync/tokenStores.js';

/**
 * The session token, encrypted with the OS keychain through safeStorage. Where the OS offers
 * no real encryption (no keyring on Linux: the 'basic_text' backend), the token falls back
 * to a 0600 file and the coordinator is warned in the log; Settings shows the kind.
 */
export function electronTokenStore(dataDir: string): TokenStore {
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
  const encrypted = safeStorage.isEncryptionAvailable() && backend !== 'basic_text' && backend !== 'unknown';
  if (!encrypted) {
    console.warn(
      '[afh] The operating system offers no encrypted storage (safeStorage unavailable); ' +
        'the sign-in token is kept in a file readable only by you.',
    );
    return plainFileTokenStore(path.join(dataDir, 'session-token'));
  }
  const file = path.join(dataDir, 'session-token.enc');
  return {
    kind: 'safeStorage',
    load() {
      try {
        return safeStorage.decryptString(readFileSync(file));
      } catch {
        return null;
      }
    },
    save(token) {
      writeFileSync(file, safeStorage.encryptString(token), { mode: 0o600 });
    },
    clear() {
      rmSync(file, { force: true });
    },
  };
}
