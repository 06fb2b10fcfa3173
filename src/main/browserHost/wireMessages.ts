import { z } from 'zod';

// What travels over the browser host's WebSocket. The page sends calls and its own view
// of the network; the host answers each call by id and pushes the core's events.

export const WS_PATH = '/__afh/ws';
export const BRIDGE_PATH = '/__afh/bridge.js';
/**
 * Where the page asks whether its key still opens this host (`x-afh-token` header), before it
 * opens the socket: a refused WebSocket handshake looks to the page exactly like a host that is
 * gone, and "open the new address" is different advice from "the app has stopped". Always 200
 * with `{ "token": "valid" | "invalid" }`, so a stale tab logs no failed request either.
 */
export const HELLO_PATH = '/__afh/hello';
export const TOKEN_HEADER = 'x-afh-token';
/** Calls are small; the only big payloads (CSV export) travel host → page. */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;

export const ClientCall = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  input: z.unknown(),
});
export const ClientNetwork = z.strictObject({ network: z.enum(['online', 'offline']) });
export const ClientMessage = z.union([ClientCall, ClientNetwork]);
export type ClientMessage = z.infer<typeof ClientMessage>;
