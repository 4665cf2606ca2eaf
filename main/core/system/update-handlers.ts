import type { updateOperations } from '../../../shared/contract/updates.js';
import type { Handler } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { CoreServices } from '../services.js';
import { unsupportedUpdates } from '../updates.js';

export const updateHandlers: { [N in keyof typeof updateOperations]: Handler<N, CoreServices> } = {
  'system.update': (_input, { services }) => services.updates?.status() ?? unsupportedUpdates(services.version),
  'system.update.check': async (_input, { services }) => {
    if (!services.updates) throw new AppError('conflict', 'This installation does not update itself; IT updates it.');
    return services.updates.check();
  },
  'system.update.install': async (_input, ctx) => {
    const updates = ctx.services.updates;
    if (!updates) throw new AppError('conflict', 'This installation does not update itself; IT updates it.');
    const status = updates.status();
    if (status.state !== 'ready' && status.state !== 'waiting') {
      throw new AppError('conflict', 'No update has been downloaded yet.');
    }
    ctx.audit.target = { type: 'update', id: status.availableVersion ?? 'unknown' };
    return updates.install();
  },
};
