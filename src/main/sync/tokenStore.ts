import { readFileSync, rmSync } from 'node:fs';
import { narrowIfPresent, writePrivateFile } from '../localData/privateFiles.js';

export type TokenStorageKind = 'safeStorage' | 'plain-file' | 'memory';

/** Where the session token lives; the host picks (Electron: safeStorage; browser host and CLI: a file). */
export interface TokenStore {
  load(): string | null;
  save(token: string): void;
  clear(): void;
  /** Where the token is kept right now (Settings says it in words). */
  readonly kind: TokenStorageKind;
  /**
   * Only where the OS offers no encryption (Linux without a keyring): the coordinator's choice
   * to keep the token in a file readable only by them, instead of in memory until the app quits.
   */
  readonly plainTextOptIn?: { enabled(): boolean; set(enabled: boolean): void };
}

export function memoryTokenStore(): TokenStore {
  let token: string | null = null;
  return {
    kind: 'memory',
    load: () => token,
    save: (t) => {
      token = t;
    },
    clear: () => {
      token = null;
    },
  };
}

/** A file readable only by its owner (0600), e.g. next to the CLI's database; a wider mode is narrowed on load. */
export function plainFileTokenStore(file: string): TokenStore {
  return {
    kind: 'plain-file',
    load: () => {
      try {
        narrowIfPresent(file);
        const t = readFileSync(file, 'utf8').trim();
        return t.length > 0 ? t : null;
      } catch {
        return null;
      }
    },
    save: (t) => writePrivateFile(file, t),
    clear: () => rmSync(file, { force: true }),
  };
}
