import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../core/app.js';
import { answer } from './http.js';

const body = (request: FastifyRequest) => (request.body && typeof request.body === 'object' ? request.body : {});
const withId = (request: FastifyRequest) => ({ ...body(request), id: (request.params as { id: string }).id });

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
  app.get('/api/monitoring/backup', answer(core, 'backup.list'));
  app.post('/api/monitoring/backup', answer(core, 'backup.create', body));
  app.post('/api/monitoring/backup/:id/verify', answer(core, 'backup.verify', withId));
  app.post('/api/monitoring/backup/:id/restore', answer(core, 'backup.restore', withId));
  app.get('/api/monitoring/backup/settings', answer(core, 'backup.settings.get'));
  app.put('/api/monitoring/backup/settings', answer(core, 'backup.settings.update', body));
}
