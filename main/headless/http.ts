import type { FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { OperationName } from '../../shared/contract/index.js';
import { HTTP_STATUS_BY_CODE, type ApiError, type ErrorCode, type Result } from '../../shared/errors.js';
import type { Core } from '../core/app.js';
import type { CallContext } from '../core/dispatch.js';

/**
 * What every route of the headless face shares: who is calling (the bearer token,
 * the address, the refresh cookie), one way to send an error envelope and one way
 * to answer with the door's result.
 */
export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() || undefined;
}

/** The refresh token's cookie: sent only to the refresh operation, never readable by scripts. */
export const REFRESH_COOKIE_PATH = '/api/rpc/auth.refresh';

export function refreshCookieName(secure: boolean): string {
  // the __Secure- prefix makes browsers refuse the cookie unless it is Secure and came over https
  return secure ? '__Secure-lexdesk_refresh' : 'lexdesk_refresh';
}

export function callContextOf(request: FastifyRequest, cookieName?: string, publicUrl?: string): CallContext {
  return {
    face: 'headless',
    token: bearer(request),
    address: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 300),
    requestId: request.id,
    refreshToken: cookieName ? request.cookies?.[cookieName] : undefined,
    forwarded: cameThroughProxy(request.headers),
    crossSite: isCrossSite(request, publicUrl),
  };
}

/**
 * Whether a request bears any header a proxy adds (Forwarded, X-Forwarded-*,
 * X-Real-IP, Via). Such a request is never "from this machine", whatever
 * LEXDESK_TRUST_PROXY says: a same-host proxy makes every client look like 127.0.0.1.
 */
export function cameThroughProxy(headers: FastifyRequest['headers']): boolean {
  for (const name of Object.keys(headers)) {
    if (name === 'forwarded' || name === 'via' || name === 'x-real-ip' || name.startsWith('x-forwarded-')) return true;
  }
  return false;
}

/**
 * Whether the browser says the request comes from another site: `Sec-Fetch-Site`
 * other than same-origin or none, or an `Origin` that is neither this server's
 * own (as the request reached it) nor LEXDESK_PUBLIC_URL's.
 */
export function isCrossSite(request: FastifyRequest, publicUrl?: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  const own = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) {
    try {
      own.add(new URL(publicUrl).origin);
    } catch {
      // the configuration checked it already
    }
  }
  return !own.has(origin);
}

/** Codes that mean "not now": their answer says when to try again when the error knows. */
const RETRY_LATER: readonly ErrorCode[] = ['rate_limited', 'locked'];

/**
 * The `Retry-After` value (whole seconds) for an error that says how long to wait
 * in `details.retryAfterSeconds`, or null.
 */
export function retryAfterOf(error: ApiError): string | null {
  if (!RETRY_LATER.includes(error.code)) return null;
  const wait = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof wait !== 'number' || !Number.isFinite(wait) || wait < 0) return null;
  return String(Math.ceil(wait));
}

/** The error envelope's text, for answers written straight to a socket. */
export function errorBody(error: ApiError): string {
  return JSON.stringify({ ok: false, error } satisfies Result<never>);
}

/**
 * The one way a route sends an error: `{ ok: false, error }` with the code's
 * status (or `status`, for framework refusals such as 413), and Retry-After where
 * the code calls for it. The security headers come from the server's onSend hook.
 */
export function sendError(reply: FastifyReply, error: ApiError, status = HTTP_STATUS_BY_CODE[error.code]): FastifyReply {
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== null) reply.header('retry-after', retryAfter);
  return reply.code(status).type('application/json').send({ ok: false, error });
}

/** Sends the door's result: 200 with `{ ok: true, value }`, or the error envelope with its status. */
export function sendResult(reply: FastifyReply, result: Result<unknown>): FastifyReply {
  if (!result.ok) return sendError(reply, result.error);
  return reply.code(200).type('application/json').send(result);
}

/**
 * A route that is one call through the door: `operation` with the input read from
 * the request, on behalf of the request's caller, answered with the door's envelope.
 * The route decides nothing; the door validates, authorises and records.
 *
 *   app.get('/api/monitoring/backup', answer(core, 'backup.list'));
 *   app.post('/api/monitoring/backup', answer(core, 'backup.create', (request) => request.body));
 */
export function answer(
  core: Pick<Core, 'dispatcher'>,
  operation: OperationName,
  input: (request: FastifyRequest) => unknown = () => ({}),
): RouteHandlerMethod {
  return async (request, reply) => sendResult(reply, await core.dispatcher.dispatch(operation, input(request), callContextOf(request)));
}
