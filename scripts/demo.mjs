// `npm run demo`: LexDesk headless with the WhatsApp simulator instead of a phone,
// on its own data folder (./demo-data), so nothing real is linked or messaged.
// Open the printed address, then "WhatsApp" to scan the simulated QR code and
// "WhatsApp simulator" to write to the office as a client.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.env.LEXDESK_WHATSAPP = 'simulator';
process.env.LEXDESK_DATA_DIR ??= join(root, 'demo-data');
process.argv = [process.argv[0], join(root, 'bin', 'lexdesk.js'), 'serve'];
await import(pathToFileURL(join(root, 'bin', 'lexdesk.js')).href);
