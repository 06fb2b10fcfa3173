import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBindLoopbackAliases, postFrom } from '../testing/httpClient.js';
import { BACKENDS, postgresReachable, SKIP_PG_MESSAGE, startTestServer, type TestServer } from '../testing/testBackends.js';
import { addressKey, FREE_FAILURES } from './loginThrottle.js';
import { legacyScryptHash, RECOMMENDED_PASSWORD_COST, TEST_PASSWORD_COST, weakerThan } from './passwords.js';

// Sign-in throttling per account AND per client address (issue 11, server hygiene): a stranger
// cannot lock the right password out, one address cannot spray guesses over many accounts, and
// many addresses cannot share out guesses on one account. And password hashes: argon2id at the
// recommended cost by default, older hashes upgraded at the next good login. Clients are told
// apart by their real source address (127.0.0.x on loopback).

const pgOk = await postgresReachable();
if (!pgOk) console.warn(SKIP_PG_MESSAGE);
const aliases = await canBindLoopbackAliases();
if (!aliases) console.warn('login throttling by address: skipped, this machine does not route 127.0.0.2 to loopback (Linux does)');

const PASSWORD = 'correct horse battery staple';

describe.each(BACKENDS)('sign-in throttling on %s', (kind) => {
  const skip = (kind === 'postgres' && !pgOk) || !aliases;
  let server: TestServer;
  let net = 0;
  /** A fresh client address for each test, so tests do not share counters. */
  const freshAddresses = (n: number): string[] => {
    net++;
    return Array.from({ length: n }, (_, i) => `127.${10 + net}.${Math.floor(i / 250)}.${(i % 250) + 1}`);
  };
  const login = (from: string, email: string, password: string) =>
    postFrom<{ token?: string; error?: { code: string } }>(server.url, from, '/v1/auth/login', { email, password });
  let userNo = 0;
  const account = async () => {
    const id = `usr_t${++userNo}`;
    await server.admin.createUser({ id, email: `${id}@test.local`, name: id, roles: ['admin'], password: PASSWORD });
    return `${id}@test.local`;
  };
  const retryAfter = (r: { headers: Record<string, string | string[] | undefined> }) => Number(r.headers['retry-after']);

  beforeAll(async () => {
    if (!skip) server = await startTestServer(kind);
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  it.skipIf(skip)('a stranger failing 30 times cannot lock the right password out: the owner at another address signs in', async () => {
    const email = await account();
    const [stranger, owner] = freshAddresses(2) as [string, string];
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await login(stranger, email, `guess-${i}`)).status);
    expect(statuses.slice(0, FREE_FAILURES.pair)).toEqual(Array(FREE_FAILURES.pair).fill(401));
    expect(statuses.slice(FREE_FAILURES.pair)).toEqual(Array(30 - FREE_FAILURES.pair).fill(429));
    // The stranger is held back even with the right password...
    const blocked = await login(stranger, email, PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error?.code).toBe('rate_limited');
    expect(retryAfter(blocked)).toBeGreaterThan(0);
    // ...the owner, at an address with no failures, is not.
    const ok = await login(owner, email, PASSWORD);
    expect(ok.status).toBe(200);
    expect(ok.body.token).toEqual(expect.any(String));
  });

  it.skipIf(skip)('the delay is progressive: each failure past the free ones doubles Retry-After (30 s, 60 s, 120 s …)', async () => {
    const email = await account();
    const [from] = freshAddresses(1) as [string];
    for (let i = 0; i < FREE_FAILURES.pair; i++) expect((await login(from, email, 'wrong')).status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const r = await login(from, email, 'wrong');
      expect(r.status).toBe(429);
      waits.push(retryAfter(r));
      // Let the block run out (as time would), then fail once more.
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE login_failure SET blocked_until = now() - interval '1 second'`), { lock: false });
      expect((await login(from, email, 'wrong')).status).toBe(401);
    }
    expect(waits[0]).toBeGreaterThan(25);
    expect(waits[0]).toBeLessThanOrEqual(30);
    expect(waits[1]).toBeGreaterThan(55);
    expect(waits[2]).toBeGreaterThan(115);
  });

  it.skipIf(skip)(
    'one address spraying guesses over many accounts is blocked after its free failures, for every account; other addresses are not',
    async () => {
      const real = await account();
      const [sprayer, other] = freshAddresses(2) as [string, string];
      for (let i = 0; i < FREE_FAILURES.address; i++) expect((await login(sprayer, `nobody-${kind}-${i}@test.local`, 'guess')).status).toBe(401);
      const blocked = await login(sprayer, real, PASSWORD);
      expect(blocked.status).toBe(429);
      expect(retryAfter(blocked)).toBeGreaterThan(0);
      expect((await login(other, real, PASSWORD)).status).toBe(200);
    },
  );

  it.skipIf(skip)(
    'many addresses sharing out guesses on one account: past its cap, each guessing address is held back, a fresh address with the right password is let in',
    async () => {
      const email = await account();
      const guessers = freshAddresses(FREE_FAILURES.account + 3);
      // One guess each: no pair ever reaches its own limit.
      for (const g of guessers.slice(0, FREE_FAILURES.account)) expect((await login(g, email, 'guess')).status).toBe(401);
      // A guesser that already failed here is now blocked, whatever it sends.
      const again = await login(guessers[0]!, email, 'guess-again');
      expect(again.status).toBe(429);
      expect(retryAfter(again)).toBeGreaterThan(0);
      expect((await login(guessers[1]!, email, PASSWORD)).status).toBe(429);
      // A new address gets one try, then is held back like the others.
      expect((await login(guessers[FREE_FAILURES.account]!, email, 'guess')).status).toBe(401);
      expect((await login(guessers[FREE_FAILURES.account]!, email, 'guess')).status).toBe(429);
      // The owner, at an address that has not failed, signs in.
      expect((await login(guessers[FREE_FAILURES.account + 1]!, email, PASSWORD)).status).toBe(200);
    },
  );

  it.skipIf(skip)('a good login clears its own pair, so an owner who mistyped a few times starts over', async () => {
    const email = await account();
    const [from] = freshAddresses(1) as [string];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < FREE_FAILURES.pair - 1; i++) expect((await login(from, email, 'typo')).status).toBe(401);
      expect((await login(from, email, PASSWORD)).status).toBe(200);
    }
  });
});

describe.skipIf(!aliases)('sign-in throttling behind a trusted proxy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { trustProxy: ['127.0.0.1'] });
    await server.admin.createUser({ id: 'usr_p', email: 'p@test.local', name: 'P', roles: ['admin'], password: PASSWORD });
  });
  afterAll(async () => server?.close());

  it('keys on the X-Forwarded-For client the proxy names, not on the proxy', async () => {
    const via = (client: string, password: string) =>
      postFrom(server.url, '127.0.0.1', '/v1/auth/login', { email: 'p@test.local', password }, { 'x-forwarded-for': client });
    for (let i = 0; i < FREE_FAILURES.pair; i++) expect((await via('203.0.113.7', 'wrong')).status).toBe(401);
    expect((await via('203.0.113.7', PASSWORD)).status).toBe(429);
    expect((await via('198.51.100.9', PASSWORD)).status).toBe(200);
    // An untrusted peer cannot pick its own address with the header.
    for (let i = 0; i < FREE_FAILURES.pair; i++)
      expect(
        (await postFrom(server.url, '127.0.0.2', '/v1/auth/login', { email: 'p@test.local', password: 'x' }, { 'x-forwarded-for': `192.0.2.${i}` }))
          .status,
      ).toBe(401);
    expect(
      (await postFrom(server.url, '127.0.0.2', '/v1/auth/login', { email: 'p@test.local', password: PASSWORD }, { 'x-forwarded-for': '192.0.2.99' }))
        .status,
    ).toBe(429);
  });
});

describe('client address keys', () => {
  it('IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe.each(BACKENDS)('password hashes on %s', (kind) => {
  const skip = kind === 'postgres' && !pgOk;
  let server: TestServer;
  const hashOf = async (id: string) =>
    (await server.admin.database.read((tx) => tx.rows<{ hash: string }>(sql`SELECT hash FROM credential WHERE user_id = ${id}`)))[0]!.hash;
  const login = (email: string, password: string) => postFrom(server.url, '127.0.0.1', '/v1/auth/login', { email, password });

  beforeAll(async () => {
    // The server's own default cost: no passwordCost option.
    if (!skip) server = await startTestServer(kind, { passwordCost: undefined });
  });
  afterAll(async () => {
    if (!skip) await server?.close();
  });

  it.skipIf(skip)('a new password is stored as argon2id at the recommended cost (19 MiB, t=2, p=1), its parameters in the hash', async () => {
    await server.admin.createUser({ id: 'usr_new', email: 'new@test.local', name: 'New', roles: ['admin'], password: PASSWORD });
    const { memoryKib, iterations, parallelism } = RECOMMENDED_PASSWORD_COST;
    expect(await hashOf('usr_new')).toMatch(
      new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryKib},t=${iterations},p=${parallelism}\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$`),
    );
    expect(memoryKib).toBeGreaterThanOrEqual(19_456);
    expect(iterations).toBeGreaterThanOrEqual(2);
    expect((await login('new@test.local', PASSWORD)).status).toBe(200);
  });

  it.skipIf(skip)(
    'an older scrypt hash still verifies, is left alone by a failed login, and is upgraded to argon2id by the next good one',
    async () => {
      await server.admin.createUser({ id: 'usr_old', email: 'old@test.local', name: 'Old', roles: ['admin'], password: 'temporary' });
      const legacy = await legacyScryptHash(PASSWORD);
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE credential SET hash = ${legacy} WHERE user_id = 'usr_old'`));
      expect((await login('old@test.local', 'wrong')).status).toBe(401);
      expect(await hashOf('usr_old')).toBe(legacy);
      expect((await login('old@test.local', PASSWORD)).status).toBe(200);
      const upgraded = await hashOf('usr_old');
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect((await login('old@test.local', PASSWORD)).status).toBe(200);
      expect(await hashOf('usr_old')).toBe(upgraded);
    },
  );

  it.skipIf(skip)('a cheaper argon2id hash (an earlier, lower cost) is upgraded at the next good login', async () => {
    const cheap = await startTestServer(kind, { passwordCost: TEST_PASSWORD_COST });
    try {
      await cheap.admin.createUser({ id: 'usr_cheap', email: 'cheap@test.local', name: 'Cheap', roles: ['admin'], password: PASSWORD });
      const hash = (
        await cheap.admin.database.read((tx) => tx.rows<{ hash: string }>(sql`SELECT hash FROM credential WHERE user_id = 'usr_cheap'`))
      )[0]!.hash;
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
      await server.admin.createUser({ id: 'usr_cheap', email: 'cheap@test.local', name: 'Cheap', roles: ['admin'], password: 'temporary' });
      await server.admin.database.write((tx) => tx.rows(sql`UPDATE credential SET hash = ${hash} WHERE user_id = 'usr_cheap'`));
      expect((await login('cheap@test.local', PASSWORD)).status).toBe(200);
      expect(await hashOf('usr_cheap')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      await cheap.close();
    }
  });
});

describe('which stored hashes count as weaker than the server cost', () => {
  it('scrypt and cheaper argon2id are weaker; the same or a dearer cost is not (never "upgraded" down)', () => {
    const c = RECOMMENDED_PASSWORD_COST;
    expect(weakerThan('$scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA', c)).toBe(true);
    expect(weakerThan('$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA', c)).toBe(true);
    expect(weakerThan('$argon2id$v=19$m=19456,t=1,p=1$c2FsdA$aGFzaA', c)).toBe(true);
    expect(weakerThan('$argon2i$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA', c)).toBe(true);
    expect(weakerThan('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', c)).toBe(false);
    expect(weakerThan('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA', c)).toBe(false);
    expect(weakerThan('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA', TEST_PASSWORD_COST)).toBe(false);
    expect(weakerThan('garbage', c)).toBe(true);
  });
});
