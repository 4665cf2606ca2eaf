import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { HealthRegistry } from './health.js';
import type { Logger } from './log.js';
import type { Monitoring } from './monitoring/index.js';
import type { Store } from './db/store.js';

/**
 * What handlers and services can reach. `store` is a getter: a restore swaps the
 * database underneath, and everyone must see the new one.
 */
export interface CoreServices {
  readonly config: Config;
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: EventBus;
  readonly health: HealthRegistry;
  readonly version: string;
  readonly store: Store;
  /** the collector, alerts and metrics; other capabilities register their numbers here */
  readonly monitoring: Monitoring;
}
