import type { IpcError } from '../../shared/ipc.js';
import { QueryInputError } from '../db/queries/queryInputError.js';
import { LocalMutationError } from '../sync/localMutations.js';
import { PendingError } from '../sync/pending.js';
import { SessionError } from '../sync/session.js';

/** The errors the core's own modules throw on purpose, as the renderer sees them. */
export function mapCoreError(err: unknown): IpcError | null {
  if (err instanceof LocalMutationError) {
    return err.field === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, field: err.field };
  }
  if (err instanceof PendingError) return { code: err.code, message: err.message, field: err.field };
  if (err instanceof QueryInputError) return { code: 'bad_request', message: err.message, field: err.field };
  if (err instanceof SessionError) {
    // The contract has no 'forbidden': to the coordinator it is one more reason sign-in failed.
    const code = err.code === 'forbidden' ? 'unauthorized' : err.code;
    return err.field === undefined ? { code, message: err.message } : { code, message: err.message, field: err.field };
  }
  return null;
}
