import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/app.js';
import { takeSessionTokens } from '../core/auth/grant.js';
import { callContextOf, REFRESH_COOKIE_PATH, refreshCookieName, sendResult } from './http.js';

/**
 * `POST /api/rpc/<operation>`: every operation of the contract, with the JSON body
 * as its input. The refresh token travels only in an httpOnly cookie scoped to the
 * refresh operation; the screens keep the access token in memory.
 */
export function registerRpcRoutes(app: FastifyInstance, core: Core): void {
  const secureCookie = core.services.config.publicUrl?.startsWith('https:') ?? false;
  const cookieName = refreshCookieName(secureCookie);
  const cookieOptions = { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: secureCookie } as const;

  const handle = async (request: FastifyRequest<{ Params: { operation: string } }>, reply: FastifyReply, operation: string) => {
    const raw = await core.dispatcher.dispatch(operation, request.body, callContextOf(request, cookieName, core.services.config.publicUrl));
    const { result, refresh, forget } = takeSessionTokens(operation, raw, { keepAccessToken: true });
    reply.header('cache-control', 'no-store');
    if (refresh) {
      const maxAge = Math.max(0, Math.floor((Date.parse(refresh.expiresAt) - Date.now()) / 1000));
      reply.setCookie(cookieName, refresh.token, { ...cookieOptions, maxAge });
    } else if (forget) {
      reply.clearCookie(cookieName, cookieOptions);
    }
    return sendResult(reply, result);
  };
  app.post<{ Params: { operation: string } }>('/api/rpc/:operation', (request, reply) => handle(request, reply, request.params.operation));
  // a simulated client's file (16 MB as base64) is the one call with a larger body
  app.post<{ Params: { operation: string } }>('/api/rpc/simulator.clientSend', { bodyLimit: 23 * 1024 * 1024 }, (request, reply) =>
    handle(request, reply, 'simulator.clientSend'),
  );
}
