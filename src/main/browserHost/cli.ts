import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serverUrlProblem } from '../../shared/serverUrl.js';
import { buildRenderer, rendererNeedsBuild } from './rendererBuild.js';
import { DEFAULT_RENDERER_DIR, startBrowserHost, type BrowserHost } from './server.js';

// npm run start:web -- [--port N] [--data DIR] [--server URL]

const USAGE = `Usage: npm run start:web -- [--port N] [--data DIR] [--server URL]

  --port N      port on 127.0.0.1 (default: any free port)
  --data DIR    local data folder (default: .data/app)
  --server URL  preset the sync server, e.g. http://127.0.0.1:8787`;

const repo = fileURLToPath(new URL('../../../', import.meta.url));

async function main(): Promise<void> {
  const args = readArgs();
  if (!args) {
    console.log(USAGE);
    return;
  }
  if (rendererNeedsBuild(DEFAULT_RENDERER_DIR)) {
    console.log('Building the renderer (out/renderer)…');
    await buildRenderer();
  }
  const host = await startBrowserHost({ port: args.port, dataDir: args.dataDir, serverUrl: args.server ?? null });
  console.log(`AfH Coordinator (browser host) at ${host.url}`);
  console.log(`Local data: ${args.dataDir}`);
  stopOnSignals(host);
}

/** The command line's options, checked; null for --help. A wrong option ends the process (exit 2). */
function readArgs(): { port: number; dataDir: string; server: string | undefined } | null {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        server: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) return null;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: must be a whole number from 0 to 65535, not "${values.port}"`);
    process.exit(2);
  }
  const serverProblem = values.server === undefined ? null : serverUrlProblem(values.server);
  if (serverProblem) {
    console.error(`--server: "${values.server}" ${serverProblem}`);
    process.exit(2);
  }
  return { port, dataDir: path.resolve(values.data ?? path.join(repo, '.data', 'app')), server: values.server };
}

function stopOnSignals(host: BrowserHost): void {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // Closing lets a running sync transaction finish before the database is closed.
    host
      .close()
      .catch((err: unknown) => console.error('Stopping failed:', err))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`Could not start the browser host: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
