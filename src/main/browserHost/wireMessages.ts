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
/**
 * Calls are small; the only big payloads (CSV export) travel host → page. A call above this is
 * refused by its id (the bridge refuses it before sending; the host again if one arrives).
 */
export const MAX_CLIENT_MESSAGE_BYTES = 1024 * 1024;
/**
 * The host reads a message up to this size (so it can still answer an oversized call by its id);
 * anything larger closes that connection with 1009 and is never buffered whole.
 */
export const MAX_CLIENT_FRAME_BYTES = 8 * 1024 * 1024;
/** What a coordinator reads when a call is refused for its size. */
export const TOO_LARGE_MESSAGE = 'That request is too large for the app (over 1 MiB). Shorten the text you typed or pasted and try again.';

const ClientCall = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  input: z.unknown(),
});
const ClientNetwork = z.strictObject({ network: z.enum(['online', 'offline']) });
export const ClientMessage = z.union([ClientCall, ClientNetwork]);
export type ClientMessage = z.infer<typeof ClientMessage>;
