import { parseArgs } from 'node:util';
import { INGEST_KEY_SOURCES, IngestKeySource } from '../shared/enums.js';
import { createIngestKey, listIngestKeys, revokeIngestKey } from './auth/ingestKeys.js';
import type { Database } from './db/database.js';
import { onServerDatabase, type OperatorIo } from './operatorCommand.js';
import { DEFAULT_DATA_FOLDER } from './startServer.js';

// `npm run server -- keys create|list|revoke …`: ingest keys for upstream systems (docs/protocol.md,
// "Ingest keys"). Works on the server's database directly: with a PGlite folder, stop the server
// first (PGlite is one process's database); with PostgreSQL, any time.

export const KEYS_USAGE = `usage:
  npm run server -- keys create --source <${INGEST_KEY_SOURCES.join('|')}> [--label TEXT] [--data <folder> | postgres://…]
  npm run server -- keys list [--data <folder> | postgres://…]
  npm run server -- keys revoke <key id> [--data <folder> | postgres://…]`;

export type KeysIo = OperatorIo;

/** Runs one `keys` command; returns the exit code (0 done, 1 no such key or the database failed, 2 usage). */
export async function runKeysCli(argv: string[], io: KeysIo): Promise<number> {
  const usage = (message: string): number => {
    io.err(`${message}\n${KEYS_USAGE}`);
    return 2;
  };
  const [command, ...rest] = argv;
  let values: { source?: string; label?: string; data?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: { source: { type: 'string' }, label: { type: 'string' }, data: { type: 'string' }, help: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usage(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  if (values.help || command === undefined || command === 'help') {
    io.out(KEYS_USAGE);
    return command === undefined ? 2 : 0;
  }
  if (values.data !== undefined && values.data.trim() === '') return usage('--data: must be a folder or a postgres:// URL');
  const data = values.data ?? DEFAULT_DATA_FOLDER;

  let run: (db: Database) => Promise<number>;
  if (command === 'create') {
    if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
    const source = IngestKeySource.safeParse(values.source);
    if (!source.success) return usage(`--source: must be one of ${INGEST_KEY_SOURCES.join(', ')}${values.source ? `, not "${values.source}"` : ''}`);
    if (values.label !== undefined && values.label.length > 200) return usage('--label: at most 200 characters');
    run = async (db) => {
      const key = await createIngestKey(db, source.data, { label: values.label ?? null });
      io.out(`id: ${key.id}\nsource: ${key.source}\nsecret: ${key.secret}`);
      io.err('Give the secret to the upstream system now: it is shown only this once (the server keeps only its sha256).');
      return 0;
    };
  } else if (command === 'list') {
    if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
    if (values.source !== undefined || values.label !== undefined) return usage('list takes only --data');
    run = async (db) => {
      const keys = await listIngestKeys(db);
      if (keys.length === 0) io.err('no ingest keys');
      for (const k of keys) {
        io.out([k.id, k.source, k.revokedAt ? `revoked ${k.revokedAt}` : 'active', `created ${k.createdAt}`, k.label ?? ''].join('\t').trimEnd());
      }
      return 0;
    };
  } else if (command === 'revoke') {
    if (positionals.length !== 1) return usage('revoke takes one key id (see "keys list")');
    if (values.source !== undefined || values.label !== undefined) return usage('revoke takes only a key id and --data');
    const id = positionals[0]!;
    run = async (db) => {
      if (!(await revokeIngestKey(db, id))) {
        io.err(`there is no ingest key "${id}" (see "keys list")`);
        return 1;
      }
      io.out(`revoked ${id}`);
      return 0;
    };
  } else {
    return usage(`unknown keys command "${command}"`);
  }

  return onServerDatabase(data, `keys ${command}`, io, run);
}
