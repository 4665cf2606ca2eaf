import { PRODUCT_NAME } from '../../../shared/product.js';
import type { Handler } from '../dispatch.js';
import { schemaVersionOf } from '../db/migrate.js';
import type { CoreServices } from '../services.js';

export const systemHandlers: {
  'system.health': Handler<'system.health', CoreServices>;
  'system.info': Handler<'system.info', CoreServices>;
  'system.computer': Handler<'system.computer', CoreServices>;
} = {
  'system.health': (_input, { services }) => services.health.report(services.version),
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
};
