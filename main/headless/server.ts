import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Core } from '../core/app.js';
import type { HttpLimits } from '../core/config.js';
import { addressMatcher } from '../core/net/addresses.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerBackupRoutes } from './backup-routes.js';
import { limitConnectionsPerAddress } from './connection-limits.js';
import { limitRequests } from './rate-limits.js';
import { registerDocumentRoutes } from './document-routes.js';
import { registerImportRoutes } from './import-routes.js';
import { registerEventRoutes } from './event-routes.js';
import { clientErrorHandler, errorHandler, frameworkErrors } from './framework-errors.js';
import { registerMonitoringRoutes } from './monitoring-routes.js';
import { registerRpcRoutes } from './rpc-routes.js';
import { registerScreenRoutes } from './screen-routes.js';
import { securityHeadersFor } from './security-headers.js';

export interface ServerOptions {
  /** the built screens (dist/renderer); when missing, `/` explains how to build them */
  rendererDir?: string;
  /** the reverse proxies' addresses and ranges (default: LEXDESK_TRUST_PROXY) */
  trustProxy?: string[];
  /** how often the event stream sends a keep-alive comment */
  heartbeatMs?: number;
  /** timeouts and caps (default: the configuration's) */
  limits?: Partial<HttpLimits>;
}

/**
 * The headless face: HTTP over the dispatch door. This file only assembles it:
 * the server's limits, the hooks every answer passes through, and the route files,
 * which translate requests to `dispatch` and results to status codes.
 *
 * Limits: the headers must arrive within `headersTimeoutMs` and the whole request
 * within `requestTimeoutMs` (a slow body is answered 408 and closed), at most
 * `connectionsPerAddress` connections per client address, and at most
 * `eventStreamsPerUser` event streams per user (event-routes.ts), and at most
 * `requestsPerMinutePerAddress` / `requestsPerMinutePerUser` requests a minute
 * (rate-limits.ts).
 */
export async function buildServer(core: Core, options: ServerOptions = {}): Promise<FastifyInstance> {
  const config = core.services.config;
  const limits: HttpLimits = { ...config.http, ...options.limits };
  const trustProxy = options.trustProxy ?? config.trustProxy;
  const headers = securityHeadersFor(config.publicUrl);
  const app = Fastify({
    logger: false,
    // forwarded client addresses are believed only from these peers (proxy-addr)
    trustProxy: trustProxy.length > 0 ? trustProxy : false,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 200 },
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // how often Node looks for requests over their time (its default, 30 s, would let them run on)
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    frameworkErrors: frameworkErrors(headers),
    clientErrorHandler: clientErrorHandler(headers),
  });
  limitConnectionsPerAddress(app.server, {
    perAddress: limits.connectionsPerAddress,
    isTrustedProxy: trustProxy.length > 0 ? addressMatcher(trustProxy) : () => false,
    headers,
  });
  const log = core.services.log.child({ component: 'http' });
  await app.register(fastifyCookie);
  // before the routes: the limits go on each route as it is added
  await limitRequests(app, core, { perAddress: limits.requestsPerMinutePerAddress, perUser: limits.requestsPerMinutePerUser });

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(headers)) {
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
    token: config.metricsToken,
    allow: config.metricsAllow,
  });
  registerEventRoutes(app, core, { heartbeatMs: options.heartbeatMs, perUser: limits.eventStreamsPerUser, headers });
  registerAuditRoutes(app, core);
  registerDocumentRoutes(app, core);
  registerImportRoutes(app, core);
  await registerScreenRoutes(app, options.rendererDir);
  return app;
}
