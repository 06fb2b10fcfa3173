import type { Socket } from 'node:net';
import { MAX_BODY_BYTES } from '../../shared/protocol.js';
import { ApiError } from './apiError.js';

// What a hostile or broken request gets before any route runs: every way Fastify, its
// compression plugin or Node's HTTP parser can refuse a request, mapped to the documented error
// shape with the field at fault named (docs/protocol.md, "Common rules"). Anything not listed
// here that is still a 4xx keeps its status class as a plain `bad_request`.

/** Headers on every answer, errors included (issue 14, item 8): nothing here may be cached or sniffed. */
export const SAFE_HEADERS = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } as const;

const limitMiB = `${MAX_BODY_BYTES / 1024 / 1024} MiB`;

/** The path parameter a URL error is about: the one route with a parameter names `id`. */
const paramField = (url: string): string => (/^\/v1\/users\//.test(url) ? 'id' : 'path');

/** A Fastify / @fastify/compress error as the ApiError a client is sent, or null if it is not a client's fault. */
export function edgeError(err: { code?: string; statusCode?: number }, url: string): ApiError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('too_large', `The request body is over the ${limitMiB} limit.`, { field: 'body' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new ApiError('bad_request', 'Send the body as application/json.', { field: 'content-type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('bad_request', 'body: is not valid JSON.', { field: 'body' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('bad_request', 'content-length: does not match the body sent.', { field: 'content-length' });
    case 'FST_CP_ERR_INVALID_CONTENT_ENCODING':
      return new ApiError('bad_request', 'content-encoding: send the body plain, or as gzip or deflate.', { field: 'content-encoding' });
    case 'FST_CP_ERR_INVALID_CONTENT':
      return new ApiError('bad_request', 'content-encoding: the body could not be decompressed with it.', { field: 'content-encoding' });
    case 'FST_ERR_BAD_URL':
      return new ApiError('bad_request', `${paramField(url)}: is not a valid URL component.`, { field: paramField(url) });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('bad_request', `${paramField(url)}: is too long.`, { field: paramField(url) });
    default:
      break;
  }
  const status = err.statusCode;
  if (status === 413) return new ApiError('too_large', `The request body is over the ${limitMiB} limit.`, { field: 'body' });
  if (status === 415) return new ApiError('bad_request', 'Send the body as application/json.', { field: 'content-type' });
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new ApiError('bad_request', 'The request is malformed.', { field: 'request' });
  return null;
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (headers too large, bytes
 * that are not HTTP). They still get the error shape and the safe headers, written by hand.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let body: { error: { code: string; message: string; field: string } };
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    body = { error: { code: 'too_large', message: 'The request headers are too large.', field: 'headers' } };
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = { error: { code: 'bad_request', message: 'The request took too long to arrive.', field: 'request' } };
  } else {
    body = { error: { code: 'bad_request', message: 'The request is not valid HTTP.', field: 'request' } };
  }
  const text = JSON.stringify(body);
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Cache-Control: ${SAFE_HEADERS['Cache-Control']}\r\nX-Content-Type-Options: ${SAFE_HEADERS['X-Content-Type-Options']}\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
    );
  }
  socket.destroy();
}
