import { parseArgs } from 'node:util';
import { ADMIN_COMMANDS, ADMIN_USAGE, runAdminCli } from './adminCli.js';
import { KEYS_USAGE, runKeysCli } from './keysCli.js';
import { DEFAULT_DATA_FOLDER, startServer } from './startServer.js';

// `npm run server -- [--host 127.0.0.1] [--port 8787] [--data <folder> | postgres://…] [--demo small|large] [--trust-proxy …]`
// Prints exactly one line, `listening on http://HOST:PORT`, once it accepts requests (tools wait for it).
// `npm run server -- keys …` manages ingest keys instead (keysCli.ts).

const USAGE = `usage: npm run server -- [--host 127.0.0.1] [--port 8787] [--data <folder> | postgres://…] [--demo small|large] [--trust-proxy ADDRESSES]
${KEYS_USAGE}
${ADMIN_USAGE}`;

if (process.argv[2] === 'keys') {
  const code = await runKeysCli(process.argv.slice(3), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}

if ((ADMIN_COMMANDS as readonly string[]).includes(process.argv[2] ?? '')) {
  const code = await runAdminCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exit(code);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parse() {
  let values: { host?: string; port?: string; data?: string; demo?: string; 'trust-proxy'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        data: { type: 'string' },
        demo: { type: 'string' },
        'trust-proxy': { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    fail(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // `--data postgres://…` is the documented form, but a bare URL after the flags is forgiven.
  if (positionals.length > 0) fail(`unexpected argument "${positionals[0]}"`);
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: "${values.port}" is not a port number (0–65535)`);
  if (values.host !== undefined && !/^[A-Za-z0-9.:[\]-]+$/.test(values.host)) fail(`--host: "${values.host}" is not a host name or address`);
  if (values.demo !== undefined && values.demo !== 'small' && values.demo !== 'large')
    fail(`--demo: must be "small" or "large", not "${values.demo}"`);
  if (values.data !== undefined && values.data.trim() === '') fail('--data: must be a folder or a postgres:// URL');
  // The proxies in front of the server, whose X-Forwarded-For names the client (login throttling keys on it).
  const trust = values['trust-proxy'];
  if (trust !== undefined && !/^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$/.test(trust))
    fail(`--trust-proxy: "${trust}" is not a comma-separated list of addresses or CIDRs (e.g. 10.0.0.0/8,127.0.0.1)`);
  return {
    host: values.host ?? '127.0.0.1',
    port,
    data: values.data ?? DEFAULT_DATA_FOLDER,
    demo: values.demo === undefined ? null : values.demo,
    trustProxy: trust === undefined ? undefined : trust.split(','),
  };
}

const opts = parse();
try {
  // stdout carries only the "listening on" line (tools wait for it); progress goes to stderr.
  const server = await startServer({
    host: opts.host,
    port: opts.port,
    data: opts.data,
    demo: opts.demo as 'small' | 'large' | null,
    trustProxy: opts.trustProxy,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`listening on ${server.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`error while stopping: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (e) {
  process.stderr.write(`server failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
