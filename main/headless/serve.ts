import { createCore } from '../core/app.js';
import type { Config } from '../core/config.js';
import { rendererDir } from '../core/paths.js';
import { createHeadlessLogger } from './logger.js';
import { buildServer } from './server.js';

/**
 * `lexdesk serve`: the core and its HTTP face, until SIGTERM or SIGINT, which
 * stop accepting requests, stop the services and close the database cleanly.
 */
export async function serve(config: Config, options: { newInstallation?: boolean } = {}): Promise<void> {
  const log = createHeadlessLogger(config.logLevel);
  const core = createCore(config, { log, newInstallation: options.newInstallation });
  await core.start();
  const app = await buildServer(core, { rendererDir: rendererDir() });
  const address = await app.listen({ host: config.host, port: config.port });
  log.info({ url: address }, `LexDesk listening on ${address}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error({}, 'shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await app.close();
      await core.stop();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
