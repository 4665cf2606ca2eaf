import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/app.js';
import { addressMatcher, isLoopback } from '../core/net/addresses.js';
import { answer, bearer, callContextOf, cameThroughProxy, sendError } from './http.js';

export interface MetricsAccess {
  /** `Authorization: Bearer <token>` required when set (LEXDESK_METRICS_TOKEN) */
  token?: string;
  /** addresses and CIDR ranges allowed when set (LEXDESK_METRICS_ALLOW) */
  allow?: string[];
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The monitoring routes of the headless face: `/api/monitoring/health` for load
 * balancers and Docker, `/metrics` for Prometheus and the seed's REST name
 * `/api/monitoring/dashboard`, which is the `monitoring.dashboard` operation
 * through the door.
 *
 * `/metrics` tells versions, memory, disks and failed sign-ins, so it is not for
 * everyone: with a token (LEXDESK_METRICS_TOKEN) it needs the token (and, when
 * LEXDESK_METRICS_ALLOW is set, one of its addresses too); without one it answers
 * only this machine (never a request through a proxy) and LEXDESK_METRICS_ALLOW.
 */
export function registerMonitoringRoutes(app: FastifyInstance, core: Core, access: MetricsAccess): void {
  const allowed = access.allow?.length ? addressMatcher(access.allow) : null;
  const token = access.token ? digest(access.token) : null;
  const fromThisMachine = (request: Parameters<typeof callContextOf>[0]) => isLoopback(request.ip) && !cameThroughProxy(request.headers);

  app.get('/metrics', async (request, reply) => {
    const listed = allowed?.(request.ip) ?? false;
    if (token ? allowed !== null && !listed : !listed && !fromThisMachine(request)) {
      return sendError(reply, {
        code: 'forbidden',
        message: 'This address may not read the metrics. IT can allow it with LEXDESK_METRICS_ALLOW or set LEXDESK_METRICS_TOKEN.',
      });
    }
    if (token) {
      const presented = bearer(request);
      if (presented === undefined || !timingSafeEqual(digest(presented), token)) {
        reply.header('www-authenticate', 'Bearer realm="lexdesk-metrics"');
        return sendError(reply, { code: 'unauthenticated', message: 'The metrics need the bearer token IT configured.' });
      }
    }
    const prom = core.services.monitoring.prom;
    const text = await prom.metrics();
    return reply.code(200).header('cache-control', 'no-store').type(prom.contentType).send(text);
  });

  app.get('/api/monitoring/dashboard', answer(core, 'monitoring.dashboard'));

  // The shape load balancers and Docker's health check read; 503 once the database cannot be read.
  app.get('/api/monitoring/health', async (request, reply) => {
    const result = await core.dispatcher.dispatch('system.health', {}, callContextOf(request));
    if (!result.ok) return sendError(reply, result.error);
    const report = result.value as { status: string; version: string; checks: { name: string; status: string }[] };
    const database = report.checks.find((c) => c.name === 'database')?.status ?? 'down';
    // check names and states only: versions and details are for signed-in staff (system.info, monitoring.health)
    return reply.code(database === 'down' ? 503 : 200).send({
      status: report.status,
      database,
      checks: report.checks.map(({ name, status }) => ({ name, status })),
    });
  });
}
