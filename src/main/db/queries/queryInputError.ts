/**
 * A query asked for something its input cannot mean (a cursor from another search, a role
 * that does not exist). Raised by the queries themselves; the IPC edge maps it to the
 * contract's `bad_request` naming `field` (ipc/errorMapping.ts).
 */
export class QueryInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryInputError';
  }
}
