import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Where the session token lives; the host picks (Electron: safeStorage; CLI: a file). */
export interface TokenStore {
  load(): string | null;
  save(token: string): void;
  clear(): void;
  readonly kind: 'safeStorage' | 'plain-file' | 'memory';
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

/** A file readable only by its owner (0600), e.g. next to the CLI's database. */
export function plainFileTokenStore(file: string): TokenStore {
  return {
    kind: 'plain-file',
    load: () => {
      try {
        const t = readFileSync(file, 'utf8').trim();
        return t.length > 0 ? t : null;
      } catch {
        return null;
      }
    },
    save: (t) => {
      writeFileSync(file, t, { mode: 0o600 });
      chmodSync(file, 0o600);
    },
    clear: () => rmSync(file, { force: true }),
  };
}
