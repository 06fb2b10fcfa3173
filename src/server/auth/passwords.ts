import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { FairQueue } from './fairQueue.js';

// Passwords are stored as PHC strings: the algorithm and its parameters travel with each hash,
// so the cost can rise over the years without locking anyone out. New hashes are argon2id at
// OWASP's recommended minimum (19 MiB, 2 passes, 1 lane); a hash made at a lower cost, or with
// the scrypt of earlier releases, still verifies and is replaced at its user's next successful
// login. Every hash and verification runs through one FairQueue, so junk logins cannot occupy
// every thread of libuv's pool (which also carries the pull pages' gzip) nor make a real
// login wait behind all of them (see fairQueue.ts).

export interface PasswordCost {
  /** argon2id memory in KiB. */
  memoryKib: number;
  /** argon2id passes over the memory. */
  iterations: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1 (about 25-50 ms on one core). */
export const RECOMMENDED_PASSWORD_COST: PasswordCost = { memoryKib: 19_456, iterations: 2, parallelism: 1 };
/** For test servers only, passed explicitly (testing/testBackends.ts); a server never falls back to it. */
export const TEST_PASSWORD_COST: PasswordCost = { memoryKib: 1024, iterations: 1, parallelism: 1 };

export interface PasswordHasherOptions {
  cost?: PasswordCost;
  /** Hashes computed at once (default: half the cores, at least 1). */
  concurrency?: number;
  /** Hashes one client address may have waiting before it is told to slow down (default 16). */
  maxWaitingPerKey?: number;
  /** The queue to run in (tests hold its slots to see who waits); by default one of its own. */
  queue?: FairQueue;
}

interface Verdict {
  ok: boolean;
  /** The password was right and its stored hash is weaker than the server's cost: store a new one. */
  rehash: boolean;
}

export interface PasswordHasher {
  readonly cost: PasswordCost;
  hash(password: string, queueKey?: string): Promise<string>;
  /** `stored` null (no such user, or no login): spend the same time on a dummy hash, so timing does not reveal which emails exist. */
  verify(password: string, stored: string | null, queueKey: string): Promise<Verdict>;
}

export { QueueFullError } from './fairQueue.js';

const normalize = (password: string): string => password.normalize('NFC');
// The package's `Algorithm` is a const enum, which isolated modules cannot read at run time.
const ARGON2ID = 2 as Algorithm.Argon2id;

export function createPasswordHasher(opts: PasswordHasherOptions = {}): PasswordHasher {
  const cost = opts.cost ?? RECOMMENDED_PASSWORD_COST;
  const queue =
    opts.queue ??
    new FairQueue({
      concurrency: opts.concurrency ?? Math.max(1, Math.floor(availableParallelism() / 2)),
      maxWaitingPerKey: opts.maxWaitingPerKey ?? 16,
      maxWaiting: 1000,
    });
  const argon2Options = { algorithm: ARGON2ID, memoryCost: cost.memoryKib, timeCost: cost.iterations, parallelism: cost.parallelism };
  const makeHash = (password: string): Promise<string> => argon2Hash(normalize(password), argon2Options);
  // Made once, at the server's cost, for unknown emails to be checked against; started now so
  // the first unknown email does not cost two hashes (which would tell it apart).
  const dummy = makeHash(randomBytes(16).toString('base64'));

  return {
    cost,
    hash: (password, queueKey = 'internal') => queue.run(queueKey, () => makeHash(password)),
    async verify(password, stored, queueKey) {
      if (stored === null) {
        const phc = await dummy;
        await queue.run(queueKey, () => verifyPhc(password, phc));
        return { ok: false, rehash: false };
      }
      const ok = await queue.run(queueKey, () => verifyPhc(password, stored));
      return { ok, rehash: ok && weakerThan(stored, cost) };
    },
  };
}

/** Whether a stored hash is of another algorithm or cheaper than `cost` (never "upgrades" down to a test cost). */
export function weakerThan(phc: string, cost: PasswordCost): boolean {
  const p = parsePhc(phc);
  if (!p || p.id !== 'argon2id') return true;
  return Number(p.params.m) < cost.memoryKib || Number(p.params.t) < cost.iterations;
}

interface Phc {
  id: string;
  params: Record<string, string>;
  salt: string;
  hash: string;
}

function parsePhc(phc: string): Phc | null {
  // $id[$v=19]$k=v,k=v$salt$hash
  const parts = phc.split('$');
  if (parts[0] !== '' || parts.length < 5) return null;
  const id = parts[1]!;
  const rest = parts.slice(2);
  if (rest[0]?.startsWith('v=')) rest.shift();
  if (rest.length !== 3) return null;
  const params: Record<string, string> = {};
  for (const kv of rest[0]!.split(',')) {
    const [k, v] = kv.split('=');
    if (!k || v === undefined) return null;
    params[k] = v;
  }
  return { id, params, salt: rest[1]!, hash: rest[2]! };
}

async function verifyPhc(password: string, phc: string): Promise<boolean> {
  if (phc.startsWith('$argon2')) {
    try {
      return await argon2Verify(phc, normalize(password));
    } catch {
      return false;
    }
  }
  const p = parsePhc(phc);
  if (p?.id === 'scrypt') return verifyScrypt(password, p);
  return false;
}

/** The hashes of releases before argon2id: scrypt, `$scrypt$ln=<log2 N>,r=…,p=…$<salt b64>$<hash b64>`. */
async function verifyScrypt(password: string, p: Phc): Promise<boolean> {
  const ln = Number(p.params.ln);
  const r = Number(p.params.r);
  const par = Number(p.params.p);
  if (![ln, r, par].every((n) => Number.isInteger(n) && n > 0) || ln > 20) return false;
  const N = 2 ** ln;
  const salt = Buffer.from(p.salt, 'base64');
  const expected = Buffer.from(p.hash, 'base64');
  const actual = await new Promise<Buffer>((resolve, reject) =>
    scrypt(normalize(password), salt, expected.length, { N, r, p: par, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A PHC string in the scrypt format of earlier releases (tests of the upgrade path, and nothing else). */
export async function legacyScryptHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(normalize(password), salt, 32, { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, k) => (err ? reject(err) : resolve(k))),
  );
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=14,r=8,p=1$${b64(salt)}$${b64(key)}`;
}
