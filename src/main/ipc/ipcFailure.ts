import type { IpcError } from '../../shared/ipc.js';

/**
 * An error a handler throws on purpose, meant for the coordinator: its code and message
 * cross the boundary as they are. Anything else thrown by a handler is treated as a bug
 * and leaves as a generic `internal` error (never a stack trace or SQL).
 */
export class IpcFailure extends Error {
  readonly code: IpcError['code'];
  readonly field: string | undefined;

  constructor(code: IpcError['code'], message: string, field?: string) {
    super(message);
    this.name = 'IpcFailure';
    this.code = code;
    this.field = field;
  }

  toIpcError(): IpcError {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}
