import { roleAllows } from '../../../shared/permissions.js';
import { PRODUCT_NAME } from '../../../shared/product.js';
import type { Handler } from '../dispatch.js';
import { schemaVersionOf } from '../db/migrate.js';
import type { CoreServices } from '../services.js';
import { runDoctor } from './doctor.js';

export const systemHandlers: {
  'system.health': Handler<'system.health', CoreServices>;
  'system.info': Handler<'system.info', CoreServices>;
  'system.computer': Handler<'system.computer', CoreServices>;
  'system.doctor': Handler<'system.doctor', CoreServices>;
} = {
  // anyone may ask (load balancers); the checks' messages are for those who read monitoring
  'system.health': async (_input, { services, principal }) => {
    const report = await services.health.report(services.version);
    if (principal && roleAllows(principal.role, 'monitoring.read')) return report;
    return { ...report, checks: report.checks.map(({ name, status }) => ({ name, status })) };
  },
  'system.info': (_input, { services }) => ({
    product: PRODUCT_NAME,
    version: services.version,
    schemaVersion: schemaVersionOf(services.store),
    mode: services.config.face === 'desktop' ? 'desktop' : 'headless',
    simulator: services.config.whatsapp.transport === 'simulator',
  }),
  'system.computer': (_input, { services }) => {
    const { version } = services.store.prepare('select sqlite_version() as version').get() as { version: string };
    return services.computer.describe({
      version: services.version,
      sqlite: version,
      folders: { data: services.config.dataDir, backup: services.backups.destination().dir },
    });
  },
  'system.doctor': (_input, { services }) => runDoctor(services),
};
