import type { AfhApi, CallInput, CallOutput, Channel, EventName, EventPayload, IpcError } from '../../shared/ipc.js';
import { describeIpcError, type Problem } from './errorWords.js';

declare global {
  interface Window {
    afh?: AfhApi;
  }
}

/** A failed call, carrying the core's plain-words message and the field at fault (if one). */
export class CallError extends Error {
  readonly code: IpcError['code'];
  readonly field: string | undefined;
  constructor(error: IpcError) {
    super(error.message);
    this.name = 'CallError';
    this.code = error.code;
    this.field = error.field;
  }
}

function bridge(): AfhApi {
  const api = window.afh;
  // Both hosts define window.afh before the renderer's script runs; without it nothing can work.
  if (!api) throw new CallError({ code: 'unavailable', message: 'The app is not connected to its core (window.afh is missing).' });
  return api;
}

/** Calls a channel and returns its data, or throws a CallError: react-query's error path wants a throw. */
export async function call<C extends Channel>(channel: C, input: CallInput<C>): Promise<CallOutput<C>> {
  const result = await bridge().call(channel, input);
  if (!result.ok) throw new CallError(result.error);
  return result.data;
}

export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return bridge().on(event, listener);
}

/** Plain words for any failure, and the field it is about (null for the whole form). */
export function problemOf(err: unknown): Problem {
  if (err instanceof CallError) return describeIpcError({ code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) });
  return { field: null, text: 'Something went wrong inside the app. Your data is safe; please try again.' };
}

/** Plain words for any error a screen may show. */
export function errorText(err: unknown): string {
  return problemOf(err).text;
}
