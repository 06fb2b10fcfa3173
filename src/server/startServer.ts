import type { AddressInfo } from 'node:net';
import type { IngestKeySource } from '../shared/enums.js';
import type { RowOf, SyncTable, UserRow } from '../shared/rows.js';
import { createIngestKey, type IngestKey } from './auth/ingestKeys.js';
import { createPasswordHasher, type PasswordCost } from './auth/passwords.js';
import { openServerDatabase, type Database, type DbKind } from './db/database.js';
import { insertWireRows, loadDemo, type DemoSize } from './demo/loadDemo.js';
import { buildApp } from './http/app.js';
import { pruneOutcomes } from './sync/outcomes.js';
import { startEpoch } from './sync/serverIdentity.js';
import { pruneTombstones } from './sync/tombstones.js';
import { assignScope } from './scopes.js';
import type { Scope } from '../shared/scope.js';
import { createUser, type NewUser } from './users.js';

export interface StartServerOptions {
  host?: string;
  port?: number;
  /** A folder for embedded PGlite (default ./.data/server) or a postgres:// URL. */
  data?: string;
  demo?: DemoSize | null;
  logger?: boolean;
  /** Progress lines (demo loading) for an operator; the CLI sends them to stderr. */
  log?: (line: string) => void;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (login throttling keys on
   * it): Fastify's `trustProxy` (true, a hop count, or addresses/CIDRs). Default: none, the
   * address is the TCP peer's.
   */
  trustProxy?: boolean | string | string[];
  /** Password hashes computed at once (default: half the cores, at least 1). */
  hashConcurrency?: number;
  /**
   * The argon2id cost of new password hashes. Default: RECOMMENDED_PASSWORD_COST. Only test
   * servers lower it, and only by passing TEST_PASSWORD_COST here explicitly.
   */
  passwordCost?: PasswordCost;
  /** Test knobs. */
  tokenTtlSeconds?: number;
  tombstoneRetentionDays?: number;
}

/** Operator/test hooks that are not part of the HTTP protocol. */
interface ServerAdmin {
  /** Insert a member with a login. */
  createUser(user: NewUser): Promise<UserRow>;
  /** An ingest key for an upstream system (the CLI's `keys create`); its secret is returned once. */
  createIngestKey(source: IngestKeySource, opts?: { label?: string; secret?: string }): Promise<IngestKey & { secret: string }>;
  /** Insert wire rows of one synced table (e.g. cohorts and enrollments for tests, which no endpoint writes). */
  insertRows<K extends SyncTable>(table: K, rows: readonly RowOf[K][]): Promise<void>;
  /** Drop tombstones older than `retentionDays` (default: the server's setting); cursors below the floor get resync_required. */
  pruneTombstones(retentionDays?: number): Promise<{ pruned: number; floor: string }>;
  /** Set a coordinator's scope (issue 13): `{all: true}` or cohorts. A coordinator without one holds no members. */
  setScope(userId: string, scope: Scope): Promise<void>;
  /** The open database, for tests that need to look underneath (dumps, concurrent writers). */
  readonly database: Database;
}

export interface RunningServer {
  url: string;
  db: DbKind;
  admin: ServerAdmin;
  close(): Promise<void>;
}

export const DEFAULT_DATA_FOLDER = './.data/server';
const DAY_MS = 86_400_000;

export async function startServer(opts: StartServerOptions = {}): Promise<RunningServer> {
  const retentionDays = opts.tombstoneRetentionDays ?? 90;
  const db = await openServerDatabase(opts.data ?? DEFAULT_DATA_FOLDER);
  const hasher = createPasswordHasher({ cost: opts.passwordCost, concurrency: opts.hashConcurrency });
  let pruneTimer: NodeJS.Timeout | undefined;
  try {
    if (opts.demo) await loadDemo(db, opts.demo, hasher, opts.log);
    await startEpoch(db);
    const prune = async () => {
      await pruneTombstones(db, retentionDays);
      // Unacknowledged mutation answers are kept as long as deletions are (docs/protocol.md).
      await pruneOutcomes(db, retentionDays);
    };
    await prune();
    const app = await buildApp({
      db,
      hasher,
      logger: opts.logger ?? false,
      tokenTtlSeconds: opts.tokenTtlSeconds ?? 30 * 86_400,
      trustProxy: opts.trustProxy,
    });
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
    const addr = app.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    // Pruning is cheap and idempotent, so each instance doing it daily is fine behind a load balancer.
    pruneTimer = setInterval(() => void prune().catch(() => undefined), DAY_MS);
    pruneTimer.unref();
    let closing: Promise<void> | null = null;
    return {
      url: `http://${host}:${addr.port}`,
      db: db.kind,
      admin: {
        createUser: (u) => createUser(db, u, hasher),
        createIngestKey: (source, o) => createIngestKey(db, source, o),
        insertRows: (table, rows) => db.write((tx) => insertWireRows(tx, table, rows)),
        pruneTombstones: (days) => pruneTombstones(db, days ?? retentionDays),
        setScope: (userId, scope) => db.write((tx) => assignScope(tx, userId, scope)),
        database: db,
      },
      close: () =>
        (closing ??= (async () => {
          clearInterval(pruneTimer);
          await app.close();
          await db.close();
        })()),
    };
  } catch (e) {
    clearInterval(pruneTimer);
    await db.close().catch(() => undefined);
    throw e;
  }
}
