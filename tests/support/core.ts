import { rmSync } from 'node:fs';
import { createCore, type Core, type FaceDeps } from '../../main/core/app.js';
import { loadConfig, type Config, type Face } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { TEST_BACKUP_KEK, tempDir } from './server.js';

export interface TestCore extends Core {
  config: Config;
  /** stops the core and removes its data folder */
  dispose(): Promise<void>;
}

/** A started core on a fresh temp data folder, configured as `face` would be. */
export async function startTestCore(
  options: { face?: Face; env?: Record<string, string>; dataDir?: string; deps?: Partial<FaceDeps> } = {},
): Promise<TestCore> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({
    face: options.face ?? 'headless',
    // bcrypt cost 4 keeps sign-in fast in tests; the production default (12) has its own test.
    // Tests talk to the WhatsApp simulator, already linked, unless they say otherwise.
    env: {
      LEXDESK_DATA_DIR: dataDir,
      LEXDESK_BCRYPT_COST: '4',
      LEXDESK_WHATSAPP: 'simulator',
      LEXDESK_SIMULATOR_PAIRED: 'true',
      LEXDESK_BACKUP_KEK: TEST_BACKUP_KEK,
      ...options.env,
    },
    envFile: null,
  });
  const core = createCore(config, { log: silentLogger, ...options.deps });
  await core.start();
  return Object.assign(core, {
    config,
    async dispose() {
      await core.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
