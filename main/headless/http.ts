import type { FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS_BY_CODE, type ApiError } from '../../shared/errors.js';
import type { CallContext } from '../core/dispatch.js';

/**
 * What every route of the headless face shares: who is calling (the bearer token,
 * the address, the refresh cookie) and one way to send an error envelope.
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

export function callContextOf(request: FastifyRequest, cookieName?: string): CallContext {
  return {
    face: 'headless',
    token: bearer(request),
    address: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 300),
    requestId: request.id,
    refreshToken: cookieName ? request.cookies?.[cookieName] : undefined,
    forwarded: request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined,
  };
}

export function sendError(reply: FastifyReply, error: ApiError, status = HTTP_STATUS_BY_CODE[error.code]): FastifyReply {
  const wait = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (typeof wait === 'number' && (error.code === 'rate_limited' || error.code === 'locked')) reply.header('retry-after', String(wait));
  return reply.code(status).type('application/json').send({ ok: false, error });
}

