import type { z } from 'zod';
import { describeZodError, type ErrorCode } from '../../shared/protocol.js';
import type { DomainError } from '../domainError.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  session_revoked: 401,
  device_revoked: 401,
  forbidden: 403,
  not_a_coordinator: 403,
  not_found: 404,
  mutation_gap: 409,
  resync_required: 409,
  client_diverged: 409,
  database_changed: 409,
  upgrade_required: 426,
  too_large: 413,
  rate_limited: 429,
  internal: 500,
};

/** An error meant for the client: its code, plain-words message and optional field go out as-is. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { field?: string; expected?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }

  body(): { error: { code: ErrorCode; message: string; field?: string }; expected?: number } {
    const error: { code: ErrorCode; message: string; field?: string } = { code: this.code, message: this.message };
    if (this.extra.field !== undefined) error.field = this.extra.field;
    return this.extra.expected !== undefined ? { error, expected: this.extra.expected } : { error };
  }
}

/** A domain refusal as the answer a client is sent: same code, message and field; the status is the edge's choice. */
export const fromDomain = (e: DomainError): ApiError => new ApiError(e.code, e.message, e.detail);

/** Parse a request body with its protocol schema, or throw a 400 naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const { field, message } = describeZodError(r.error);
    throw new ApiError('bad_request', message, { field });
  }
  return r.data;
}
