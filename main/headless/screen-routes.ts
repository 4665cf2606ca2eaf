import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './http.js';

/**
 * The screens (the built renderer) at `/` and at every screen path of the
 * single-page app; unknown API paths and other methods get the error envelope.
 * When the screens are not built, `/` says how to build them.
 */
export async function registerScreenRoutes(app: FastifyInstance, rendererDir: string | undefined): Promise<void> {
  const hasRenderer = rendererDir !== undefined && existsSync(join(rendererDir, 'index.html'));
  if (hasRenderer) {
    await app.register(fastifyStatic, { root: rendererDir, wildcard: false, index: ['index.html'] });
  }

  // the screens' paths count against the request limit per address like every route (rate-limits.ts)
  const limited = app.hasDecorator('rateLimit') ? { preHandler: app.rateLimit() } : {};
  app.setNotFoundHandler(limited, (request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url === '/metrics';
    if (isApi || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return sendError(reply, { code: 'not_found', message: 'There is nothing at this address.' });
    }
    if (!hasRenderer) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The LexDesk screens are not built. Run `npm run build` (or `npm run serve`, which builds them).');
    }
    // single-page app: every other path is a screen
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });
}
