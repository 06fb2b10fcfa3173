import { parseArgs } from 'node:util';
import { revokeDevice, revokeUserSessions } from './auth/devices.js';
import { listErasures } from './erasure.js';
import type { Database } from './db/database.js';
import { onServerDatabase, type OperatorIo } from './operatorCommand.js';
import { DEFAULT_DATA_FOLDER } from './startServer.js';

// `npm run server -- erasures list | devices revoke <clientId> | sessions revoke <userId>`: the
// superadmin's records and revocations from the operator's shell. Works on the database directly:
// with a PGlite folder, stop the server first (PGlite is one process's database).

export const ADMIN_USAGE = `  npm run server -- erasures list [--data <folder> | postgres://…]
  npm run server -- devices revoke <clientId> [--data <folder> | postgres://…]
  npm run server -- sessions revoke <userId> [--data <folder> | postgres://…]`;

export const ADMIN_COMMANDS = ['erasures', 'devices', 'sessions'] as const;

export type AdminIo = OperatorIo;

/** Runs one admin command; returns the exit code (0 done, 1 nothing to act on or the database failed, 2 usage). */
export async function runAdminCli(argv: string[], io: AdminIo): Promise<number> {
  const usage = (message: string): number => {
    io.err(`${message}\nusage:\n${ADMIN_USAGE}`);
    return 2;
  };
  const [group, verb, ...rest] = argv;
  let values: { data?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { data: { type: 'string' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    return usage(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  if (values.data !== undefined && values.data.trim() === '') return usage('--data: must be a folder or a postgres:// URL');
  const data = values.data ?? DEFAULT_DATA_FOLDER;

  let run: (db: Database) => Promise<number>;
  if (group === 'erasures' && verb === 'list') {
    if (positionals.length > 0) return usage(`unexpected argument "${positionals[0]}"`);
    run = async (db) => {
      const entries = await listErasures(db);
      if (entries.length === 0) io.err('no erasures');
      for (const e of entries) io.out([e.erasedAt, e.userId, `by ${e.erasedBy}`, JSON.stringify(e.removed)].join('\t'));
      return 0;
    };
  } else if (group === 'devices' && verb === 'revoke') {
    if (positionals.length !== 1) return usage('devices revoke takes one clientId');
    const clientId = positionals[0]!;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) return usage(`clientId: "${clientId}" is not a UUID`);
    run = async (db) => {
      if (!(await revokeDevice(db, clientId))) {
        io.err(`there is no device ${clientId}`);
        return 1;
      }
      io.out(`revoked device ${clientId}: its sessions are ended and its next contact wipes its data`);
      return 0;
    };
  } else if (group === 'sessions' && verb === 'revoke') {
    if (positionals.length !== 1) return usage('sessions revoke takes one user id');
    const userId = positionals[0]!;
    run = async (db) => {
      const n = await revokeUserSessions(db, userId);
      io.out(`revoked ${n} session(s) of ${userId}`);
      return 0;
    };
  } else {
    return usage(`unknown command "${[group, verb].filter(Boolean).join(' ')}"`);
  }

  return onServerDatabase(data, `${group} ${verb}`, io, run);
}
