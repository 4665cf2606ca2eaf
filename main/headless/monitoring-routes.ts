import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/app.js';
import { answer, bearer, callContextOf, sendError } from './http.js';

export interface MetricsAccess {
  /** `Authorization: Bearer <token>` required when set (LEXDESK_METRICS_TOKEN) */
  token?: string;
  /** addresses and CIDR ranges allowed when set (LEXDESK_METRICS_ALLOW) */
  allow?: string[];
}

function blockListOf(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/** "::ffff:10.0.0.5" (an IPv4 client on a dual-stack socket) is 10.0.0.5. */
function normalizeAddress(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: isIPv6(address) ? 'ipv6' : 'ipv4' };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The monitoring routes of the headless face: `/api/monitoring/health` for load
 * balancers and Docker, `/metrics` for Prometheus (open, or behind a bearer token
 * and/or an address allow-list) and the seed's REST name `/api/monitoring/dashboard`,
 * which is the `monitoring.dashboard` operation through the door.
 */
export function registerMonitoringRoutes(app: FastifyInstance, core: Core, access: MetricsAccess): void {
  const allow = access.allow?.length ? blockListOf(access.allow) : null;
  const token = access.token ? digest(access.token) : null;

  app.get('/metrics', async (request, reply) => {
    if (allow) {
      const { address, family } = normalizeAddress(request.ip);
      if (!allow.check(address, family)) {
        return sendError(reply, { code: 'forbidden', message: 'This address may not read the metrics.' });
      }
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
    return reply.code(database === 'down' ? 503 : 200).send({
      status: report.status,
      version: report.version,
      database,
      checks: report.checks.map(({ name, status }) => ({ name, status })),
    });
  });
}
