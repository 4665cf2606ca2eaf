import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE, type ApiError } from '../../shared/errors.js';
import type { Core } from '../core/app.js';
import { callContextOf } from './http.js';

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

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(HTTP_STATUS_BY_CODE[error.code]).type('application/json').send({ ok: false, error });
}

/**
 * The monitoring routes of the headless face: `/metrics` for Prometheus (open, or
 * behind a bearer token and/or an address allow-list) and the seed's REST name
 * `/api/monitoring/dashboard`, which is the `monitoring.dashboard` operation
 * through the door. (`/api/monitoring/health` stays with the server.)
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
      const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
      if (!match || !timingSafeEqual(digest(match[1]!.trim()), token)) {
        reply.header('www-authenticate', 'Bearer realm="lexdesk-metrics"');
        return sendError(reply, { code: 'unauthenticated', message: 'The metrics need the bearer token IT configured.' });
      }
    }
    const prom = core.services.monitoring.prom;
    const text = await prom.metrics();
    return reply.code(200).header('cache-control', 'no-store').type(prom.contentType).send(text);
  });

  app.get('/api/monitoring/dashboard', async (request, reply) => {
    const result = await core.dispatcher.dispatch('monitoring.dashboard', {}, callContextOf(request));
    if (!result.ok) return sendError(reply, result.error);
    return reply.type('application/json').send(result);
  });
}
