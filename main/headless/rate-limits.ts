import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../core/app.js';
import { clientKey, isLoopback } from '../core/net/addresses.js';
import { callContextOf, cameThroughProxy, sendError } from './http.js';

const MINUTE_MS = 60_000;

/** What the limiter throws over the limit per address; framework-errors.ts answers it in the envelope. */
export class RateLimitedError extends Error {
  readonly statusCode = 429;
  readonly code = 'LEXDESK_RATE_LIMITED';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * Requests per minute on every route (@fastify/rate-limit): `perAddress` per client
 * address (IPv6: per /64; behind a listed proxy, the client's own address) and
 * `perUser` per signed-in user, whichever is reached first. Over either, the answer
 * is 429 `rate_limited` with Retry-After. 0 turns a limit off. The machine itself
 * (loopback, no proxy header: health checks, scripts) has no limit per address, as
 * it may read /metrics. A reverse proxy may limit too (build/nginx/nginx.conf); this
 * one holds where there is none.
 */
export async function limitRequests(app: FastifyInstance, core: Core, limits: { perAddress: number; perUser: number }): Promise<void> {
  if (limits.perAddress <= 0 && limits.perUser <= 0) return;
  const seconds = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs / 1000));
  await app.register(fastifyRateLimit, {
    global: limits.perAddress > 0,
    max: limits.perAddress > 0 ? limits.perAddress : 1_000_000_000,
    timeWindow: MINUTE_MS,
    cache: 20_000,
    keyGenerator: (request: FastifyRequest) => `address:${clientKey(request.ip) ?? 'unknown'}`,
    allowList: (request: FastifyRequest) => isLoopback(request.ip) && !cameThroughProxy(request.headers),
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    errorResponseBuilder: (_request, context) =>
      new RateLimitedError('Too many requests from this address. Wait a moment and try again.', seconds(context.ttl)),
  });
  if (limits.perUser <= 0) return;
  const perUser = app.createRateLimit({
    max: limits.perUser,
    timeWindow: MINUTE_MS,
    keyGenerator: async (request: FastifyRequest) => {
      const principal = await core.dispatcher.principalOf(callContextOf(request));
      return principal ? `user:${principal.userId}` : '';
    },
    // a request without a valid sign-in is counted per address only
    allowList: (_request, key) => key === '',
  });
  app.addHook('preHandler', async (request, reply) => {
    if (!request.headers.authorization) return;
    const result = await perUser(request);
    if (result.isAllowed || !result.isExceeded) return;
    return sendError(reply, {
      code: 'rate_limited',
      message: 'Too many requests for this account. Wait a moment and try again.',
      details: { retryAfterSeconds: seconds(result.ttl) },
    });
  });
}
