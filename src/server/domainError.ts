import type { ErrorCode } from '../shared/protocol.js';

/**
 * What the server's domain code refuses with: the contract's error code (docs/protocol.md), a
 * plain-words message meant for the person at the other end, and where the fault is. The domain
 * names no HTTP status; only the HTTP edge (src/server/http) turns one of these into an answer.
 */
export type DomainErrorCode = Exclude<ErrorCode, 'internal' | 'too_large'>;

export interface DomainErrorDetail {
  /** The request field at fault, as the contract names it (`actions[3].user_id`). */
  field?: string;
  /** For a mutation gap: the mutation id the server expects next. */
  expected?: number;
  /** For a throttled request: how long before trying again is worth it. */
  retryAfterSeconds?: number;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly detail: DomainErrorDetail = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
