import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { IngestKeySource } from '../../shared/enums.js';
import type { Database, Tx } from '../db/database.js';

// Upstream systems' credentials for ingest (issue 14, item 5; docs/protocol.md). A key is a
// 256-bit random secret, sent as `Authorization: Bearer <secret>` on /v1/ingest/*; only its
// sha256 is stored (a slow hash buys nothing against a secret that cannot be guessed), so a
// database leak gives no usable key. Each key is bound to one source system, or `platform`.

export interface IngestKey {
  id: string;
  source: IngestKeySource;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** A new secret: recognisable in a config file or a leak scanner by its prefix. */
const newIngestSecret = (): string => `afh_ik_${randomBytes(32).toString('base64url')}`;

/**
 * Store a key and return it with its secret, which is never stored or shown again. `secret` is
 * for the demo data's fixed keys; anything else takes a fresh random one.
 */
export async function createIngestKey(
  db: Database,
  source: IngestKeySource,
  opts: { label?: string | null; secret?: string } = {},
): Promise<IngestKey & { secret: string }> {
  return db.write((tx) => insertIngestKey(tx, source, opts), { lock: false });
}

export async function insertIngestKey(
  tx: Tx,
  source: IngestKeySource,
  opts: { label?: string | null; secret?: string } = {},
): Promise<IngestKey & { secret: string }> {
  const secret = opts.secret ?? newIngestSecret();
  const id = `ik_${randomBytes(6).toString('hex')}`;
  const rows = await tx.rows<{ created_at: string }>(
    sql`INSERT INTO ingest_key (id, source, secret_hash, label) VALUES (${id}, ${source}, ${secretHash(secret)}, ${opts.label ?? null})
        RETURNING afh_iso(created_at) AS created_at`,
  );
  return { id, source, label: opts.label ?? null, createdAt: rows[0]!.created_at, revokedAt: null, secret };
}

export async function listIngestKeys(db: Database): Promise<IngestKey[]> {
  const rows = await db.read((tx) =>
    tx.rows<{ id: string; source: IngestKeySource; label: string | null; created_at: string; revoked_at: string | null }>(
      sql`SELECT id, source, label, afh_iso(created_at) AS created_at, afh_iso(revoked_at) AS revoked_at
          FROM ingest_key ORDER BY created_at, id`,
    ),
  );
  return rows.map((r) => ({ id: r.id, source: r.source, label: r.label, createdAt: r.created_at, revokedAt: r.revoked_at }));
}

/** Revoke a key by id. Returns false if there is no such key (revoking twice is fine). */
export async function revokeIngestKey(db: Database, id: string): Promise<boolean> {
  const rows = await db.write(
    (tx) => tx.rows<{ id: string }>(sql`UPDATE ingest_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id} RETURNING id`),
    { lock: false },
  );
  return rows.length > 0;
}

/** The live key behind a secret, or null. */
export async function authenticateIngestKey(db: Database, secret: string): Promise<{ id: string; source: IngestKeySource } | null> {
  const rows = await db.read((tx) =>
    tx.rows<{ id: string; source: IngestKeySource }>(
      sql`SELECT id, source FROM ingest_key WHERE secret_hash = ${secretHash(secret)} AND revoked_at IS NULL`,
    ),
  );
  return rows[0] ?? null;
}
