import { createServer, connect, type Server, type Socket } from 'node:net';

// A loopback TCP proxy in front of the server that misbehaves on purpose: it cuts
// connections in the middle of a response, delays data, and answers 502 itself, with
// probabilities from a seeded generator so a failing run can be replayed.

export interface FaultOptions {
  /** Chance that a response chunk is cut short and the connection dropped. */
  dropChunk: number;
  /** Chance that a new connection is answered 502 by the proxy. */
  badGateway: number;
  /** Upper bound of a random delay added to each chunk, in ms. */
  maxDelayMs: number;
  seed: number;
}

export interface FaultProxy {
  url: string;
  stats: { connections: number; drops: number; badGateways: number };
  setFaults(f: Partial<FaultOptions>): void;
  close(): Promise<void>;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startFaultProxy(target: string, faults: FaultOptions): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  let opts = { ...faults };
  const rnd = mulberry32(faults.seed);
  const stats = { connections: 0, drops: 0, badGateways: 0 };
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    stats.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (rnd() < opts.badGateway) {
      stats.badGateways++;
      client.once('data', () => {
        client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 15\r\nconnection: close\r\n\r\n<h1>502</h1>\r\n\r\n');
      });
      return;
    }
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (d) => upstream.write(d));
    // Responses go through a per-connection chain so delays never reorder bytes.
    let chain = Promise.resolve();
    upstream.on('data', (chunk: Buffer) => {
      const delay = Math.floor(rnd() * opts.maxDelayMs);
      const drop = rnd() < opts.dropChunk;
      const cutAt = Math.floor(rnd() * chunk.length);
      chain = chain.then(async () => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (client.destroyed) return;
        if (drop) {
          stats.drops++;
          client.write(chunk.subarray(0, cutAt));
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    stats,
    setFaults: (f) => {
      opts = { ...opts, ...f };
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
