import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsClient } from 'ws';
import { seedLocal } from './seedLocal.js';

// Issue 11, finding 12: the browser host must survive any message. The host runs in its own
// process (hostProcess.ts), so a crash shows as a dead process, as a coordinator would see it;
// every test ends by checking that the same process still answers a normal call.

let dir: string;
let child: ChildProcess;
let port: number;
let token: string;
let stderr = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'afh-host-hostile-'));
  seedLocal(path.join(dir, 'data'));
  const rendererDir = path.join(dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>');
  child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/shell/hostProcess.ts'), path.join(dir, 'data'), rendererDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  ({ port, token } = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as { port: number; token: string }));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  }));
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  rmSync(dir, { recursive: true, force: true });
});

const origin = (): string => `http://127.0.0.1:${port}`;
const wsUrl = (): string => `ws://127.0.0.1:${port}/__afh/ws?token=${encodeURIComponent(token)}`;

function open(): Promise<{ ws: WsClient; messages: Array<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WsClient(wsUrl(), { headers: { Origin: origin() } });
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

/** The host is alive: its process runs, and a new page can connect and get an answer to a call. */
async function expectAlive(): Promise<void> {
  expect(child.exitCode, `host process ended; stderr: ${stderr}`).toBeNull();
  const { ws, messages } = await open();
  ws.send(JSON.stringify({ id: 1, channel: 'people.search', input: { query: 'zoe' } }));
  await expect.poll(() => messages.find((m) => m.id === 1), { timeout: 10_000 }).toBeDefined();
  expect(messages.find((m) => m.id === 1)).toMatchObject({ result: { ok: true } });
  ws.close();
  // A crash after the answer (e.g. from the socket's later error) would still be a crash.
  await new Promise((r) => setTimeout(r, 100));
  expect(child.exitCode, `host process ended; stderr: ${stderr}`).toBeNull();
}

function closed(ws: WsClient): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** A WebSocket handshake by hand, so frames can be written byte by byte. */
function rawUpgrade(headers: Record<string, string>): Promise<{ socket: Socket; response: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => {
      const lines = [
        `GET /__afh/ws?token=${encodeURIComponent(token)} HTTP/1.1`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      let got = '';
      const onData = (d: Buffer) => {
        got += d.toString('latin1');
        const end = got.indexOf('\r\n\r\n');
        if (end >= 0) {
          socket.off('data', onData);
          resolve({ socket, response: got.slice(0, end) });
        }
      };
      socket.on('data', onData);
    });
  });
}

/** A masked client text frame (FIN set) carrying these exact bytes. */
function textFrame(payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x81, 0x80 | len]) : Buffer.from([0x81, 0x80 | 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, mask, masked]);
}

describe('browser host: survives any message (issue 11, finding 12)', () => {
  it('a call over 1 MiB (a long paste into People search) gets a plain refusal by its id; the connection stays open', async () => {
    const { ws, messages } = await open();
    ws.send(JSON.stringify({ id: 7, channel: 'people.search', input: { query: 'x'.repeat(2 * 1024 * 1024) } }));
    await expect.poll(() => messages.find((m) => m.id === 7), { timeout: 10_000 }).toBeDefined();
    const refusal = messages.find((m) => m.id === 7) as { result: { ok: boolean; error: { code: string; message: string } } };
    expect(refusal.result).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(refusal.result.error.message).toMatch(/too (large|long)/i);
    expect(refusal.result.error.message).not.toMatch(/payload|RangeError|1009/);
    // The same connection still carries calls.
    ws.send(JSON.stringify({ id: 8, channel: 'people.search', input: { query: 'maya' } }));
    await expect.poll(() => messages.find((m) => m.id === 8), { timeout: 10_000 }).toMatchObject({ result: { ok: true } });
    ws.close();
    await expectAlive();
  });

  it('a message over the hard frame cap closes that connection with 1009; the host keeps serving', async () => {
    const { ws } = await open();
    const done = closed(ws);
    ws.send('x'.repeat(9 * 1024 * 1024));
    expect((await done).code).toBe(1009);
    await expectAlive();
  });

  it('a text frame that is not valid UTF-8 closes that connection with 1007; the host keeps serving', async () => {
    const { socket, response } = await rawUpgrade({ Host: `127.0.0.1:${port}`, Origin: origin() });
    expect(response).toMatch(/^HTTP\/1\.1 101/);
    const ended = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.on('error', () => undefined);
    });
    socket.write(textFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    const frames = await ended;
    // The last frame the host sent is a close frame (opcode 8) with status 1007.
    const at = frames.lastIndexOf(0x88);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(frames.readUInt16BE(at + 2)).toBe(1007);
    await expectAlive();
  });

  it('a wrong-Host upgrade followed by a TCP reset does not crash the host', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve) => {
        socket.once('connect', () => resolve());
        socket.on('error', () => resolve());
      });
      socket.write(
        `GET /__afh/ws?token=x HTTP/1.1\r\nHost: evil.example:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      // Half the time reset at once (the host may still be writing its 421), half after its answer began.
      if (i % 2 === 1) await new Promise<void>((resolve) => (socket.once('data', () => resolve()), socket.once('close', () => resolve())));
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    await expectAlive();
  });

  it('refused upgrades (no token, wrong Origin, wrong path) followed by a TCP reset do not crash the host', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      [`/__afh/ws`, { Origin: origin() }],
      [`/__afh/ws?token=${encodeURIComponent(token)}`, { Origin: 'http://evil.example' }],
      ['/elsewhere', { Origin: origin() }],
    ];
    for (let i = 0; i < 12; i++) {
      const [p, headers] = cases[i % cases.length]!;
      const socket = connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve) => {
        socket.once('connect', () => resolve());
        socket.on('error', () => resolve());
      });
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(
        `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    await expectAlive();
  });

  it('a page that vanishes mid-call (TCP reset with a call in flight) does not crash the host', async () => {
    for (let i = 0; i < 5; i++) {
      const { ws } = await open();
      ws.send(JSON.stringify({ id: 1, channel: 'people.search', input: { query: 'maya' } }));
      (ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    await expectAlive();
  });

  it('junk that is not a call (binary, not JSON, wrong shape) is ignored and the connection keeps working', async () => {
    const { ws, messages } = await open();
    ws.send(Buffer.from([0, 1, 2]));
    ws.send('not json');
    ws.send(JSON.stringify({ id: -1, channel: 5 }));
    ws.send(JSON.stringify('x'.repeat(1000)));
    ws.send('['.repeat(100_000));
    ws.send(JSON.stringify({ id: 2, channel: 'people.search', input: { query: 'maya' } }));
    await expect.poll(() => messages.find((m) => m.id === 2), { timeout: 10_000 }).toMatchObject({ result: { ok: true } });
    ws.close();
    await expectAlive();
  });
});
