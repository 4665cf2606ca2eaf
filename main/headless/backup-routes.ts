import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HTTP_STATUS_BY_CODE } from '../../shared/errors.js';
import type { OperationName } from '../../shared/contract/index.js';
import type { Core } from '../core/app.js';
import { callContextOf } from './http.js';

/**
 * REST names for the backup operations under /api/monitoring/backup, for IT's
 * scripts and monitoring. Each route is the same door call as
 * POST /api/rpc/<operation>, with the same envelope, codes and permissions.
 *
 *   GET  /api/monitoring/backup            backup.list
 *   POST /api/monitoring/backup            backup.create   {sqlDump?}
 *   POST /api/monitoring/backup/:id/verify backup.verify
 *   POST /api/monitoring/backup/:id/restore backup.restore {password, passphrase?}
 *   GET  /api/monitoring/backup/settings   backup.settings.get
 *   PUT  /api/monitoring/backup/settings   backup.settings.update
 */
export function registerBackupRoutes(app: FastifyInstance, core: Core): void {
  const answer =
    (operation: OperationName, input: (request: FastifyRequest) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await core.dispatcher.dispatch(operation, input(request), callContextOf(request));
      if (!result.ok) return reply.code(HTTP_STATUS_BY_CODE[result.error.code]).type('application/json').send(result);
      return reply.type('application/json').send(result);
    };
  const body = (request: FastifyRequest) => (request.body && typeof request.body === 'object' ? request.body : {});
  const withId = (request: FastifyRequest) => ({ ...body(request), id: (request.params as { id: string }).id });

  app.get('/api/monitoring/backup', answer('backup.list', () => ({})));
  app.post('/api/monitoring/backup', answer('backup.create', body));
  app.post('/api/monitoring/backup/:id/verify', answer('backup.verify', withId));
  app.post('/api/monitoring/backup/:id/restore', answer('backup.restore', withId));
  app.get('/api/monitoring/backup/settings', answer('backup.settings.get', () => ({})));
  app.put('/api/monitoring/backup/settings', answer('backup.settings.update', body));
}
