import { backupHandlers } from './backup/handlers.js';
import { offsiteHandlers } from './backup/offsite/handlers.js';
import type { Handlers } from './dispatch.js';
import type { CoreServices } from './services.js';
import { auditHandlers } from './audit/handlers.js';
import { authHandlers } from './auth/handlers.js';
import { monitoringHandlers } from './monitoring/handlers.js';
import { systemHandlers } from './system/handlers.js';
import { whatsappHandlers } from './whatsapp/handlers.js';
import { botHandlers } from './bot/handlers.js';
import { teamHandlers } from './bot/team-handlers.js';
import { answeringHandlers } from './bot/answering-handlers.js';
import { updateHandlers } from './system/update-handlers.js';
import { documentHandlers } from './documents/handlers.js';
import { importHandlers } from './imports/handlers.js';
import { privacyHandlers } from './privacy/handlers.js';
import { exportHandlers } from './exports/handlers.js';

/**
 * The handler of every operation in shared/contract. The type makes a missing
 * handler a compile error. Each capability keeps its handlers in its own folder.
 */
export const handlers: Handlers<CoreServices> = {
  ...systemHandlers,
  ...auditHandlers,
  ...botHandlers,
  ...teamHandlers,
  ...documentHandlers,
  ...backupHandlers,
  ...offsiteHandlers,
  ...authHandlers,
  ...whatsappHandlers,
  ...monitoringHandlers,
  ...answeringHandlers,
  ...updateHandlers,
  ...importHandlers,
  ...privacyHandlers,
  ...exportHandlers,
};
