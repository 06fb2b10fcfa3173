import { startBrowserHost } from '../../src/main/browserHost/server.js';

// The browser host in a process of its own, for tests that must see whether a hostile message
// kills it (an uncaught error in the test's own process would only fail the test run, not show
// a dead host). Prints one JSON line with its port and token once it listens.
// Usage: tsx test/shell/hostProcess.ts <dataDir> <rendererDir>

const [dataDir, rendererDir] = process.argv.slice(2);
if (!dataDir || !rendererDir) {
  process.stderr.write('usage: hostProcess.ts <dataDir> <rendererDir>\n');
  process.exit(2);
}
const host = await startBrowserHost({ port: 0, dataDir, rendererDir });
process.stdout.write(`${JSON.stringify({ port: host.port, token: host.token })}\n`);
process.on('SIGTERM', () => void host.close().then(() => process.exit(0)));
