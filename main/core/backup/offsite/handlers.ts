import type { Handler } from '../../dispatch.js';
import type { CoreServices } from '../../services.js';

type OffsiteOperation = 'backup.offsite.get' | 'backup.offsite.set' | 'backup.offsite.test' | 'backup.offsite.copyNow';

export const offsiteHandlers: { [N in OffsiteOperation]: Handler<N, CoreServices> } = {
  'backup.offsite.get': (_input, { services }) => services.offsite.status(),

  'backup.offsite.set': async (input, ctx) => {
    const status = await ctx.services.offsite.set(input.target, input.credentials);
    // the audit trail names the target and which secrets changed, never their values
    ctx.audit.details = {
      kind: input.target?.kind ?? null,
      target: status.label,
      credentialsChanged: Object.entries(input.credentials ?? {})
        .filter(([, value]) => value)
        .map(([field]) => field),
    };
    return status;
  },

  'backup.offsite.test': async (input, ctx) => {
    const result = await ctx.services.offsite.test(input.target, input.credentials);
    ctx.audit.details = { ok: result.ok, message: result.message };
    return result;
  },

  'backup.offsite.copyNow': async (input, ctx) => {
    let status = await ctx.services.offsite.copy();
    if (input.verify) status = await ctx.services.offsite.verify(input.verify === 'full');
    ctx.audit.details = { uploaded: status.lastCopy?.uploaded ?? 0, deleted: status.lastCopy?.deleted ?? 0, verified: status.lastVerify?.ok ?? null };
    return status;
  },
};
