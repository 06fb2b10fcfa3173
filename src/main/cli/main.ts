import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalMaintenance } from '../db/maintenance.js';
import { openDatabase, type AppDb } from '../db/open.js';
import { searchPeople } from '../db/queries/people.js';
import { openConflictCount } from '../sync/conflicts.js';
import { LocalMutationError } from '../sync/localMutations.js';
import { allPending, pendingCount, wireForm } from '../sync/outbox.js';
import { NOOP_MUTATION } from '../../shared/mutations.js';
import { readRow } from '../sync/wireRows.js';
import { REVOKED_MESSAGES, SessionError, type RevokedReason, type Session } from '../sync/session.js';
import { readSyncState } from '../db/syncState.js';
import { plainFileTokenStore } from '../sync/tokenStore.js';
import { composeSync, type SyncParts } from '../core/composeSync.js';
import { ensurePrivateDir } from '../localData/privateFiles.js';
import { removeDatabaseFiles } from '../localData/wipe.js';
import { SYNC_TABLES } from '../../shared/rows.js';
import { changeInput, CHANGE_COMMANDS, CHANGE_FLAGS, FlagError, flagMessage, runChange, type ChangeFlags } from './changeCommands.js';
import { attachProgress } from './progressBar.js';
import { prompt } from './prompt.js';
import { serverUrlProblem } from '../../shared/serverUrl.js';

// The sync core without a window: sign in, sync, inspect and search a local database from a
// shell or a script. Exit codes are the contract for scripts (see HELP).

export const EXIT = { ok: 0, syncFailed: 1, usage: 2, auth: 3, conflicts: 4, refused: 5 } as const;

const HELP = `Usage: npm run cli -- <command> --db <file> [options]

Commands:
  login               sign in to the server and keep the token next to the database (<db>.token, mode 0600)
  sync                push pending changes and pull everything new (signs in first if AFH_EMAIL/AFH_PASSWORD are set)
  status              pending changes, last sync, open conflicts and row counts of the local database
  search              search members by name or email (--query)
  champions           champion rows on this laptop (--member <id> for one member's)
  pending             the changes waiting to be sent, oldest first
  conflicts           changes the server refused (or that wait behind one), with whether "retry-mine" can work

Changes (made offline, on this laptop; the next "sync" sends them):
  champion create     --member <userId> (--cohort <cohortId> | --global) [--notes <text>]
  champion move       --id <championId> --to candidate|selected|champion|alumni [--reason <text>]
  champion notes      --id <championId> --notes <text>
  champion cohort     --id <championId> (--cohort <cohortId> | --global)
  champion remove     --id <championId>               (a candidate only)
  action record       --member <userId> --type <actionType> [--enrollment <id>] [--target-type <type>]
                      [--target-id <id>] [--metadata <JSON object>] [--at <UTC time, default now>]
  resolve             --conflict <n> --resolution keep-server|retry-mine

Options:
  --db <file>        the local database (created if missing for login and sync; must exist for the rest)
  --server <url>     the server, e.g. http://127.0.0.1:8787 (remembered in the database)
  --query <text>     search text for "search"
  --limit <n>        rows for "search" (default 20)
  --pull-limit <n>   rows per pull page for "sync" (default 5000)
  --json             print one JSON object instead of text
  -h, --help         this help

Credentials come from AFH_EMAIL and AFH_PASSWORD, or a prompt on a terminal.

Exit codes:
  0  done
  1  sync failed (server unreachable, server error); the pending changes are kept
  2  bad usage (unknown command or option, a flag's value is not valid, missing --db); nothing changed
  3  sign-in required or refused
  4  sync done, but conflicts are waiting for the coordinator
  5  the change cannot be made on this laptop's data (no such member or card, a move that skips a
     stage, a conflict that is not open, ...); nothing was queued
`;

const READ_COMMANDS = ['status', 'search', 'champions', 'pending', 'conflicts'];
class UsageError extends Error {}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const OPTIONS = {
  db: { type: 'string' },
  server: { type: 'string' },
  query: { type: 'string' },
  limit: { type: 'string' },
  'pull-limit': { type: 'string' },
  member: { type: 'string' },
  cohort: { type: 'string' },
  global: { type: 'boolean', default: false },
  notes: { type: 'string' },
  id: { type: 'string' },
  to: { type: 'string' },
  reason: { type: 'string' },
  type: { type: 'string' },
  enrollment: { type: 'string' },
  'target-type': { type: 'string' },
  'target-id': { type: 'string' },
  metadata: { type: 'string' },
  at: { type: 'string' },
  conflict: { type: 'string' },
  resolution: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>>['values'];

/** A command line that passed every check: what to run, on which file, with what. */
interface Invocation {
  command: string;
  db: string;
  values: Values;
  limit: number;
  pullLimit: number;
  change: ReturnType<typeof changeInput> | null;
}

export async function main(argv: string[], io: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    io.err(`${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  try {
    return await run(checkUsage(values, positionals), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\nRun with --help for usage.\n`);
      return EXIT.usage;
    }
    throw e;
  }
}

/** Every check that needs no database: the command, its flags and their values. Throws UsageError. */
function checkUsage(values: Values, positionals: string[]): Invocation {
  // Two-word commands: "champion move", "action record".
  const command = positionals[0] === 'champion' || positionals[0] === 'action' ? positionals.slice(0, 2).join(' ') : positionals[0];
  const words = command?.split(' ').length ?? 0;
  const known = ['login', 'sync', ...READ_COMMANDS, ...Object.keys(CHANGE_COMMANDS)];
  if (!command || !known.includes(command)) throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  if (positionals.length > words) throw new UsageError(`unexpected argument "${positionals[words]}"`);
  if (!values.db) throw new UsageError('--db <file> is required');
  if (values.server !== undefined) {
    const problem = serverUrlProblem(values.server);
    if (problem) throw new UsageError(`--server ${problem}`);
  }
  const isChange = command in CHANGE_COMMANDS;
  if ((READ_COMMANDS.includes(command) || isChange) && !existsSync(values.db)) throw new UsageError(`--db: no database at ${values.db}`);
  const limit = positiveInt(values.limit, '--limit', 20, 500);
  const pullLimit = positiveInt(values['pull-limit'], '--pull-limit', 5000, 10_000);
  if (command === 'search' && values.query === undefined) throw new UsageError('--query <text> is required for search');
  if (command === 'champions' && values.member !== undefined && values.member.trim() === '') throw new UsageError('--member must be a member id');
  if (!isChange) {
    const stray = CHANGE_FLAGS.find(
      (f) => (f === 'global' ? values.global : values[f] !== undefined) && !(command === 'champions' && f === 'member'),
    );
    if (stray) throw new UsageError(`--${stray} does not apply to "${command}"`);
  }
  return { command, db: values.db, values, limit, pullLimit, change: isChange ? changeFrom(command, values) : null };
}

function changeFrom(command: string, values: Values): ReturnType<typeof changeInput> {
  try {
    return changeInput(command, values as ChangeFlags, new Date());
  } catch (e) {
    if (e instanceof FlagError) throw new UsageError(e.message);
    throw e;
  }
}

/** Open the database, run the command over the app's sync parts, and close it (removing it if this laptop was revoked). */
async function run(inv: Invocation, io: Io): Promise<number> {
  const { command, values } = inv;
  // A folder the CLI makes for the database is private; one the user named already is theirs to keep as it is.
  if (!existsSync(dirname(inv.db))) ensurePrivateDir(dirname(inv.db));
  const app = openDatabase(inv.db);
  // Told this laptop may not keep the data (a revoked device, a lost coordinator role): it goes once the command ends.
  let revoked: RevokedReason | null = null;
  try {
    // The same composition as the app's (core/composeSync.ts): one way to wire session, mutations and engine.
    const parts = composeSync(app, {
      tokenStore: plainFileTokenStore(`${inv.db}.token`),
      serverUrl: values.server ?? null,
      pullLimit: inv.pullLimit,
    });
    parts.session.onRevoked((reason) => {
      revoked = reason;
    });
    if (inv.change) return makeChange(parts, io, command, inv.change, values.json);
    switch (command) {
      case 'login':
        return await login(parts.session, io, values.json);
      case 'sync': {
        const code = await sync(parts, io, values.json);
        // What the pull deleted (an erasure) leaves the file before the command ends, as in the app.
        new LocalMaintenance(app.sqlite).runPending();
        return code;
      }
      case 'status':
        return status(app, io, values.json);
      case 'champions':
        return champions(app, io, values.member ?? null, values.json);
      case 'pending':
        return pending(app, io, values.json);
      case 'conflicts':
        return conflicts(parts, io, values.json);
      default:
        return search(app, io, values.query ?? '', inv.limit, values.json);
    }
  } finally {
    app.close();
    if (revoked) {
      removeDatabaseFiles(inv.db);
      io.err(`${REVOKED_MESSAGES[revoked as RevokedReason]} (${inv.db} and its token were deleted.)\n`);
    }
  }
}

function makeChange({ mutations: local }: SyncParts, io: Io, command: string, change: ReturnType<typeof changeInput>, json: boolean): number {
  let out: { mutationId: number | null; id?: string };
  try {
    out = runChange(local, change.channel, change.input);
  } catch (e) {
    if (!(e instanceof LocalMutationError)) throw e;
    const message = flagMessage(command, e.field, e.message);
    if (json) io.out(`${JSON.stringify({ ok: false, code: e.code, message })}\n`);
    else io.err(`${message}\n`);
    return EXIT.refused;
  }
  if (json) io.out(`${JSON.stringify({ ok: true, ...out })}\n`);
  else if (change.channel === 'conflicts.resolve') {
    io.out(
      out.mutationId === null
        ? 'Resolved: the server’s version stands.\n'
        : `Resolved: your change is queued again (change ${out.mutationId}); the next sync sends it.\n`,
    );
  } else {
    io.out(`Queued ${change.channel}${out.id ? ` for ${out.id}` : ''} (change ${out.mutationId}); the next sync sends it.\n`);
  }
  return EXIT.ok;
}

function champions(app: AppDb, io: Io, member: string | null, json: boolean): number {
  const ids = (
    member === null
      ? app.sqlite.prepare('SELECT id FROM champion ORDER BY user_id, id').all()
      : app.sqlite.prepare('SELECT id FROM champion WHERE user_id = ? ORDER BY id').all(member)
  ) as { id: string }[];
  const rows = ids.map((r) => readRow(app.sqlite, 'champion', r.id)!);
  if (json) io.out(`${JSON.stringify({ champions: rows })}\n`);
  else for (const r of rows) io.out(`${r.id}\t${r.user_id}\t${r.cohort_id ?? 'global'}\t${r.stage}\t${JSON.stringify(r.notes)}\n`);
  return EXIT.ok;
}

function pending(app: AppDb, io: Io, json: boolean): number {
  // A discarded change on its way out as a `noop` (sync/pending.ts) is no longer the coordinator's.
  const entries = allPending(app.sqlite)
    .filter((e) => e.name !== NOOP_MUTATION)
    .map((e) => ({ ...wireForm(e), createdAt: e.createdAt, attempts: e.attempts }));
  if (json) io.out(`${JSON.stringify({ pending: entries })}\n`);
  else for (const e of entries) io.out(`${e.id}\t${e.name}\t${JSON.stringify(e.args)}\n`);
  return EXIT.ok;
}

function conflicts({ mutations }: SyncParts, io: Io, json: boolean): number {
  const list = mutations.listConflicts().conflicts;
  if (json) io.out(`${JSON.stringify({ conflicts: list })}\n`);
  else {
    for (const c of list) {
      const who = c.member ? ` (${c.member.name})` : '';
      const waits = c.blockedBy !== null ? `, waits behind conflict ${c.blockedBy}` : '';
      const retry = c.retry.possible ? 'retry-mine possible' : `retry-mine not possible: ${c.retry.why}`;
      io.out(`${c.id}\t${c.name} ${c.entityId ?? ''}${who}\t${c.code}${waits}\t${retry}\n`);
    }
  }
  return EXIT.ok;
}

function positiveInt(v: string | undefined, name: string, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

async function credentials(): Promise<{ email: string; password: string } | null> {
  const email = process.env.AFH_EMAIL;
  const password = process.env.AFH_PASSWORD;
  if (email && password) return { email, password };
  if (!process.stdin.isTTY) return null;
  return { email: email || (await prompt('Email: ')), password: password || (await prompt('Password: ', true)) };
}

async function login(session: Session, io: Io, json: boolean): Promise<number> {
  const server = session.serverUrl();
  if (!server) {
    io.err('--server <url> is required the first time\n');
    return EXIT.usage;
  }
  const creds = await credentials();
  if (!creds) {
    io.err('Set AFH_EMAIL and AFH_PASSWORD, or run on a terminal to be asked.\n');
    return EXIT.auth;
  }
  try {
    const s = await session.signIn(server, creds.email, creds.password);
    const switched = session.lastAdoption === 'switched';
    io.out(json ? `${JSON.stringify({ ...s, startedOver: switched })}\n` : `Signed in to ${server} as ${s.user?.name} <${s.user?.email}>\n`);
    if (switched && !json) {
      io.err(
        'This server holds another database than the one this laptop synced with: local data starts over with it. Changes not yet sent to the old one are kept as conflicts (see "conflicts"); none is sent here.\n',
      );
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SessionError) {
      io.err(`${e.message}\n`);
      return e.code === 'unavailable' ? EXIT.syncFailed : EXIT.auth;
    }
    throw e;
  }
}

async function sync({ session, engine }: SyncParts, io: Io, json: boolean): Promise<number> {
  if (!session.authStatus().signedIn && process.env.AFH_EMAIL && process.env.AFH_PASSWORD) {
    const code = await login(session, { out: () => undefined, err: io.err }, false);
    if (code !== EXIT.ok) return code;
  }
  if (!session.authStatus().signedIn) {
    io.err(
      session.serverUrl() ? 'Not signed in: run "login" first, or set AFH_EMAIL and AFH_PASSWORD.\n' : '--server <url> is required the first time\n',
    );
    return session.serverUrl() ? EXIT.auth : EXIT.usage;
  }
  if (!json) io.err(`Syncing with ${session.serverUrl() ?? ''}…\n`);
  let rowsApplied = 0;
  const offRows = engine.onStatus((s) => {
    if (s.progress) rowsApplied = s.progress.rowsApplied;
  });
  const detach = json ? () => undefined : attachProgress(process.stderr, (l) => engine.onStatus(l));
  const s = await engine.syncNow();
  detach();
  offRows();
  await engine.stop();
  const ok = s.phase === 'idle';
  if (json) {
    io.out(
      `${JSON.stringify({ ok, phase: s.phase, pending: s.pending, conflicts: s.conflicts, lastSyncedAt: s.lastSyncedAt, rowsApplied, error: s.error })}\n`,
    );
  } else if (ok) {
    io.out(`Synced: ${rowsApplied.toLocaleString('en')} rows pulled, ${s.pending} pending, ${s.conflicts} conflicts.\n`);
  } else {
    io.err(`${s.error ?? 'Sync failed.'}\n`);
  }
  if (s.phase === 'signed_out') return EXIT.auth;
  if (!ok) return EXIT.syncFailed;
  return s.conflicts > 0 ? EXIT.conflicts : EXIT.ok;
}

function status(app: AppDb, io: Io, json: boolean): number {
  const counts: Record<string, number> = {};
  for (const t of SYNC_TABLES) counts[t] = (app.sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
  const state = readSyncState(app.sqlite);
  const out = { pending: pendingCount(app.sqlite), lastSyncedAt: state.lastSyncedAt, conflicts: openConflictCount(app.sqlite), counts };
  if (json) io.out(`${JSON.stringify(out)}\n`);
  else {
    io.out(`pending changes: ${out.pending}\nlast synced:     ${out.lastSyncedAt ?? 'never'}\nopen conflicts:  ${out.conflicts}\n`);
    for (const t of SYNC_TABLES) io.out(`${t.padEnd(22)} ${counts[t]}\n`);
  }
  return EXIT.ok;
}

function search(app: AppDb, io: Io, query: string, limit: number, json: boolean): number {
  const { items } = searchPeople(app, { query, roles: [], origins: [], limit, after: null });
  if (json) io.out(`${JSON.stringify({ items })}\n`);
  else for (const m of items) io.out(`${m.id}\t${m.name}\t${m.email}\t${m.roles.join(',')}\n`);
  return EXIT.ok;
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`Unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.syncFailed;
    },
  );
}
