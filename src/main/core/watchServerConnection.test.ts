import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watchServerConnection } from './reachability.js';

// The held connection against a real HTTP server on loopback: it stays open while the server
// runs, and reports its closing as soon as the server stops.

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

async function healthServer(): Promise<string> {
  server = createServer((req, res) => {
    res.writeHead(req.url === '/v1/health' ? 200 : 404, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('watchServerConnection', () => {
  it('stays quiet while the server runs and reports at once when the server stops', async () => {
    const url = await healthServer();
    let dropped = 0;
    const stop = watchServerConnection(url, () => dropped++);
    await new Promise((r) => setTimeout(r, 300));
    expect(dropped).toBe(0);
    const stoppedAt = Date.now();
    server!.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    while (dropped === 0 && Date.now() - stoppedAt < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(dropped).toBe(1);
    stop();
  });

  it('reports a server that cannot be reached at all', async () => {
    const url = await healthServer();
    server!.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = null;
    const dropped = await new Promise<boolean>((resolve) => {
      watchServerConnection(url, () => resolve(true));
      setTimeout(() => resolve(false), 2000);
    });
    expect(dropped).toBe(true);
  });
});
