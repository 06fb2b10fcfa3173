import { PullEnvelope } from '../../shared/protocol.js';
import { SyncHttpError } from './protocolClient.js';

const decoder = new TextDecoder();

/** A pull answer's bytes as a checked envelope (its changes are checked as they are applied). */
export function decodePullPage(bytes: ArrayBuffer): PullEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new SyncHttpError('bad_response', 'The server sent a pull page that is not JSON (the answer may have been cut off).');
  }
  const parsed = PullEnvelope.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'body';
    throw new SyncHttpError('bad_response', `The server sent a pull page this app does not understand (${where}).`);
  }
  return parsed.data;
}
