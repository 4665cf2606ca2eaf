// Starts the real whatsapp-web.js adapter (a headless Chromium on the profile in
// <dataDir>/whatsapp/auth/session) and waits to be killed.
//   node --import tsx tests/support/whatsapp-chromium-child.ts <dataDir> <chromium>
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { WwebjsTransport } from '../../main/core/whatsapp/wwebjs.js';

const [dataDir, chromium] = process.argv.slice(2);
const config = loadConfig({
  face: 'headless',
  env: { LEXDESK_DATA_DIR: dataDir!, LEXDESK_CHROMIUM_PATH: chromium! },
  envFile: null,
});
const transport = new WwebjsTransport(config.whatsapp, silentLogger);
await transport.start({ event: () => {}, message: () => {} });
process.stdout.write('started\n');
setInterval(() => {}, 60_000);
