import { PRODUCT_NAME } from '../../../shared/product.js';
import type { ComputerInfo, HealthReport } from '../../../shared/contract/system.js';
import type { Installation } from '../../../shared/support.js';
import { schemaVersionOf } from '../db/migrate.js';
import type { CoreServices } from '../services.js';

export interface SupportInformation {
  installation: Installation | undefined;
  computer: ComputerInfo;
  health: HealthReport;
}

/**
 * What a support request needs, read from the core: the installation (version,
 * schema, face), this computer (systeminformation, read once) and the health
 * checks. The same parts as the Overview's "Copy support information"; the
 * desktop's Help menu adds the update state and the last errors of its log.
 */
export async function supportInformation(services: CoreServices): Promise<SupportInformation> {
  let installation: Installation | undefined;
  let sqlite = 'unknown';
  try {
    const store = services.store;
    sqlite = (store.prepare('select sqlite_version() as version').get() as { version: string }).version;
    installation = {
      product: PRODUCT_NAME,
      version: services.version,
      schemaVersion: schemaVersionOf(store),
      mode: services.config.face === 'desktop' ? 'desktop' : 'headless',
    };
  } catch {
    installation = undefined; // the database is closed (a restore): the rest still helps
  }
  const computer = await services.computer.describe({
    version: services.version,
    sqlite,
    folders: { data: services.config.dataDir, backup: services.backups.destination().dir },
  });
  const health = await services.health.report(services.version);
  return { installation, computer, health };
}
