import type { z } from 'zod';
import { ipcContract, type CallOutput, type Channel, type IpcError, type IpcResult, type ParsedInput } from '../../shared/ipc.js';
import { IpcFailure } from './ipcFailure.js';

// The one door into the core. Both hosts hand every call to `dispatch` untouched, so
// the checks below (known channel, input schema, typed errors, output schema) hold
// whichever host carried it.

type Handler<C extends Channel> = (input: ParsedInput<C>) => CallOutput<C> | Promise<CallOutput<C>>;
export type HandlerTable = { [C in Channel]: Handler<C> };

export type Dispatch = (channel: unknown, rawInput: unknown) => Promise<IpcResult<Channel>>;

export interface DispatcherOptions {
  /** Parse every output with its schema: on in dev and tests, so a handler that drifts from the contract fails loudly. */
  validateOutput?: boolean;
  /** Turns errors the core knows (e.g. the sync layer's) into IpcErrors; `null` = unknown, reported as internal. */
  mapError?: (err: unknown) => IpcError | null;
  /** Where bugs are reported; the caller only ever sees a generic message. */
  logError?: (channel: string, err: unknown) => void;
}

const INTERNAL_MESSAGE = 'Something went wrong inside the app. Your data is safe; please try again.';

function isChannel(channel: unknown): channel is Channel {
  return typeof channel === 'string' && Object.hasOwn(ipcContract, channel);
}

/** The first zod issue as a field path (`after.occurredAt`, `roles[2]`) and a plain message naming it. */
function describeInputError(err: z.ZodError): { field: string; message: string } {
  const issue = err.issues[0];
  if (!issue) return { field: 'input', message: 'input: invalid' };
  let field = '';
  for (const p of issue.path) {
    if (typeof p === 'number') field += `[${p}]`;
    else field += field ? `.${String(p)}` : String(p);
  }
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = issue.keys[0]!;
    field = field ? `${field}.${key}` : key;
    return { field, message: `${field}: is not a known field` };
  }
  if (!field) field = 'input';
  return { field, message: `${field}: ${issue.message}` };
}

export function createDispatcher(handlers: HandlerTable, opts: DispatcherOptions = {}): Dispatch {
  const logError = opts.logError ?? ((channel, err) => console.error(`[ipc] ${channel} failed:`, err));

  const fail = (error: IpcError): IpcResult<Channel> => ({ ok: false, error });

  return async (channel, rawInput) => {
    if (!isChannel(channel)) {
      const name = typeof channel === 'string' ? `"${channel.slice(0, 100)}"` : 'a channel that is not a string';
      return fail({ code: 'bad_request', message: `channel: unknown channel ${name}`, field: 'channel' });
    }
    const contract = ipcContract[channel];
    // Calls without arguments may omit the input; anything else must be an object.
    const parsed = contract.input.safeParse(rawInput === undefined ? {} : rawInput);
    if (!parsed.success) {
      const { field, message } = describeInputError(parsed.error);
      return fail({ code: 'bad_request', message, field });
    }
    try {
      const handler = handlers[channel] as Handler<Channel>;
      const output: unknown = await handler(parsed.data as ParsedInput<Channel>);
      if (opts.validateOutput) {
        const checked = contract.output.safeParse(output);
        if (!checked.success) {
          logError(channel, new Error(`output does not match the contract: ${describeInputError(checked.error).message}`));
          return fail({ code: 'internal', message: INTERNAL_MESSAGE });
        }
        return { ok: true, data: checked.data } as IpcResult<Channel>;
      }
      return { ok: true, data: output } as IpcResult<Channel>;
    } catch (err) {
      if (err instanceof IpcFailure) return fail(err.toIpcError());
      const mapped = opts.mapError?.(err) ?? null;
      if (mapped) return fail(mapped);
      logError(channel, err);
      return fail({ code: 'internal', message: INTERNAL_MESSAGE });
    }
  };
}
