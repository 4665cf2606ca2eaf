import { PRODUCT_NAME } from '../../../shared/product.js';
import type { Handler } from '../dispatch.js';
import { schemaVersionOf } from '../db/migrate.js';
import type { CoreServices } from '../services.js';

export const systemHandlers: {
  'system.health': Handler<'system.health', CoreServices>;
  'system.info': Handler<'system.info', CoreServices>;
} = {
  'system.health': (_input, { services }) => services.health.report(services.version),
  'system.info': (_input, { services }) => ({
    product: PRODUCT_NAME,
    version: services.version,
    schemaVersion: schemaVersionOf(services.store),
    mode: services.config.face === 'desktop' ? 'desktop' : 'headless',
  }),
};
