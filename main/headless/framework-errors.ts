import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS_BY_CODE, type ApiError, type ErrorCode } from '../../shared/errors.js';
import type { Logger } from '../core/log.js';
import { errorBody, sendError } from './http.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * Requests refused before they reach a route (by Node's HTTP parser, the router or
 * the body parser) leave like every other answer: the `{ ok: false, error }`
 * envelope, the security headers, a stable code and a sentence that never repeats
 * the address or the input, which may hold anything a client chose to send.
 */

interface Refusal {
  status: number;
  error: ApiError;
}

const refusal = (status: number, message: string, code: ErrorCode = 'invalid_input'): Refusal => ({ status, error: { code, message } });

const BY_FASTIFY_CODE: Record<string, Refusal> = {
  FST_ERR_BAD_URL: refusal(400, 'The address of this request is not valid.'),
  FST_ERR_MAX_PARAM_LENGTH: refusal(414, 'The address of this request is too long.'),
  FST_ERR_CTP_BODY_TOO_LARGE: refusal(413, 'The request is too large.'),
  // 400 rather than 415: screens and scripts branch on invalid_input, whose status is 400
  FST_ERR_CTP_INVALID_MEDIA_TYPE: refusal(400, 'Send the request body as JSON (Content-Type: application/json).'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: refusal(400, 'The request body is not as long as its Content-Length header says.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: refusal(400, 'The request body is not valid JSON.'),
  FST_ERR_CTP_INVALID_JSON_BODY: refusal(400, 'The request body is not valid JSON.'),
};

const CODE_BY_STATUS = new Map<number, ErrorCode>(
  Object.entries(HTTP_STATUS_BY_CODE).map(([code, status]) => [status, code as ErrorCode]),
);

/** What to answer for an error fastify raised, or null when it is not the client's doing. */
function refusalOf(err: FastifyError): Refusal | null {
  if (err.code === 'LEXDESK_RATE_LIMITED') {
    const wait = (err as FastifyError & { retryAfterSeconds?: number }).retryAfterSeconds ?? 60;
    return { status: 429, error: { code: 'rate_limited', message: err.message, details: { retryAfterSeconds: wait } } };
  }
  const known = err.code ? BY_FASTIFY_CODE[err.code] : undefined;
  if (known) return known;
  const status = err.statusCode ?? 500;
  if (status === 413) return BY_FASTIFY_CODE.FST_ERR_CTP_BODY_TOO_LARGE!;
  if (status < 400 || status >= 500) return null;
  // the JSON body parser throws the SyntaxError of JSON.parse itself
  if (err instanceof SyntaxError) return BY_FASTIFY_CODE.FST_ERR_CTP_INVALID_JSON_BODY!;
  if (status === 404) return refusal(404, 'There is nothing at this address.', 'not_found');
  return refusal(status, 'This request cannot be read.', CODE_BY_STATUS.get(status) ?? 'invalid_input');
}

/** The server's error handler: refusals in the envelope; anything else is ours, logged, with a reference. */
export function errorHandler(log: Logger) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const refused = refusalOf(err);
    if (refused) return sendError(reply, refused.error, refused.status);
    log.error({ err, url: request.url, requestId: request.id }, 'request failed');
    return sendError(reply, {
      code: 'internal',
      message: `Something went wrong on our side. Reference: ${String(request.id).slice(0, 8)}.`,
    });
  };
}

/**
 * Fastify's `frameworkErrors`: a malformed percent-encoding in the address, or a
 * route parameter longer than the router's maxParamLength. Fastify's own answers
 * echo the address; these do not.
 */
export function frameworkErrors(headers: Record<string, string> = SECURITY_HEADERS) {
  return (err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void => {
    const refused = refusalOf(err) ?? refusal(400, 'This request cannot be read.');
    // these replies are built before the route's hooks exist: the headers go on here
    reply.headers(headers);
    sendError(reply, refused.error, refused.status);
  };
}

const CLIENT_ERRORS: Record<string, Refusal> = {
  HPE_HEADER_OVERFLOW: refusal(431, 'The headers of this request are too large.'),
  ERR_HTTP_REQUEST_TIMEOUT: refusal(408, 'The request took too long to arrive.'),
  ERR_HTTP_HEADERS_TIMEOUT: refusal(408, 'The request took too long to arrive.'),
};

/**
 * Node's `clientError`: what its HTTP parser refuses before fastify sees a request
 * (headers larger than --max-http-header-size, bytes that are not HTTP, a request
 * that never finished arriving). The answer is written to the socket, then the
 * connection is closed, as Node itself would.
 */
export function clientErrorHandler(headers: Record<string, string> = SECURITY_HEADERS) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const refused = (err.code && CLIENT_ERRORS[err.code]) || refusal(400, 'This request is not valid HTTP.');
    refuseSocket(socket, refused.status, refused.error, headers);
    socket.destroy(err);
  };
}

/**
 * Writes an answer in the envelope straight to a socket and closes it: for what is
 * refused before Node or fastify made a request of it (a timeout, a connection over
 * the cap per address).
 */
export function refuseSocket(socket: Socket, status: number, error: ApiError, securityHeaders: Record<string, string>, extra: Record<string, string> = {}): void {
  if (socket.writable) {
    const body = errorBody(error);
    const headers = {
      ...securityHeaders,
      ...extra,
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
  }
}
