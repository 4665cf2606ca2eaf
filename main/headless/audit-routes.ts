import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SECURITY_ACTION_PREFIX } from '../../shared/contract/audit.js';
import type { Core } from '../core/app.js';
import { answer, sendError } from './http.js';

type Query = Record<string, string | undefined>;

const numberOrUndefined = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
const queryOf = (request: FastifyRequest) => request.query as Query;

/**
 * The audit trail's HTTP routes besides /api/rpc: the download of a prepared
 * export, and the REST names IT tools know for security events. Each one only
 * translates: the door (through `audit.export`, `audit.search`,
 * `audit.securitySummary`) authorises, validates and records.
 */
export function registerAuditRoutes(app: FastifyInstance, core: Core): void {
  // A ticket from `audit.export` (a random id, one use, one minute): the browser
  // downloads it natively, streamed, without the set ever being held in memory.
  app.get<{ Params: { exportId: string } }>('/api/audit/exports/:exportId', async (request, reply) => {
    const download = core.services.auditRecords.exports.take(request.params.exportId);
    if (!download) {
      return sendError(reply, {
        code: 'not_found',
        message: 'This export has expired or was already downloaded. Export again.',
      });
    }
    return reply
      .header('content-type', download.contentType)
      .header('content-disposition', `attachment; filename="${download.filename}"`)
      .header('cache-control', 'no-store')
      .send(download.stream);
  });

  app.addHook('preClose', async () => {
    core.services.auditRecords.exports.closeAll();
  });

  // GET /api/monitoring/security/events?type=login.failed&actor=&outcome=&from=&to=&contains=&cursor=&limit=
  app.get(
    '/api/monitoring/security/events',
    answer(core, 'audit.search', (request) => {
      const q = queryOf(request);
      return {
        action: `${SECURITY_ACTION_PREFIX}${q.type ?? ''}`,
        actor: q.actor,
        outcome: q.outcome,
        from: q.from,
        to: q.to,
        contains: q.contains,
        cursor: q.cursor,
        limit: numberOrUndefined(q.limit),
      };
    }),
  );

  // GET /api/monitoring/security/summary?from=&to=
  app.get(
    '/api/monitoring/security/summary',
    answer(core, 'audit.securitySummary', (request) => ({ from: queryOf(request).from, to: queryOf(request).to })),
  );
}
