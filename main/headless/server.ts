import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Core } from '../core/app.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerBackupRoutes } from './backup-routes.js';
import { registerDocumentRoutes } from './document-routes.js';
import { registerEventRoutes } from './event-routes.js';
import { clientErrorHandler, errorHandler, frameworkErrors } from './framework-errors.js';
import { registerMonitoringRoutes } from './monitoring-routes.js';
import { registerRpcRoutes } from './rpc-routes.js';
import { registerScreenRoutes } from './screen-routes.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface ServerOptions {
  /** the built screens (dist/renderer); when missing, `/` explains how to build them */
  rendererDir?: string;
  trustProxy?: boolean;
  /** how often the event stream sends a keep-alive comment */
  heartbeatMs?: number;
}

/**
 * The headless face: HTTP over the dispatch door. This file only assembles it:
 * the server's limits, the hooks every answer passes through, and the route files,
 * which translate requests to `dispatch` and results to status codes.
 */
export async function buildServer(core: Core, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 200 },
    frameworkErrors,
    clientErrorHandler,
  });
  const log = core.services.log.child({ component: 'http' });
  await app.register(fastifyCookie);

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      // a document answer keeps its own, stricter policy (document-routes.ts)
      if (name === 'content-security-policy' && reply.hasHeader(name)) continue;
      reply.header(name, value);
    }
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  app.setErrorHandler(errorHandler(log));

  registerRpcRoutes(app, core);
  registerBackupRoutes(app, core);
  registerMonitoringRoutes(app, core, {
    token: core.services.config.metricsToken,
    allow: core.services.config.metricsAllow,
  });
  registerEventRoutes(app, core, { heartbeatMs: options.heartbeatMs });
  registerAuditRoutes(app, core);
  registerDocumentRoutes(app, core);
  await registerScreenRoutes(app, options.rendererDir);
  return app;
}
