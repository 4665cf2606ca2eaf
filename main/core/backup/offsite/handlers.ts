import type { Handler } from '../../dispatch.js';
import type { CoreServices } from '../../services.js';

const ANSWER_WITHIN_MS = 20_000;

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
    const { offsite } = ctx.services;
    const work = offsite.copy().then((status) => (input.verify ? offsite.verify(input.verify === 'full') : status));
    // a first copy over a slow line takes hours: after a while the answer is "still copying", and the copy goes on
    let timer: NodeJS.Timeout | undefined;
    const later = new Promise<null>((done) => (timer = setTimeout(() => done(null), ANSWER_WITHIN_MS)));
    const finished = await Promise.race([work, later]).finally(() => clearTimeout(timer));
    if (finished === null) {
      work.catch(() => undefined);
      ctx.audit.details = { running: true };
      return offsite.status();
    }
    ctx.audit.details = { uploaded: finished.lastCopy?.uploaded ?? 0, deleted: finished.lastCopy?.deleted ?? 0, verified: finished.lastVerify?.ok ?? null };
    return finished;
  },
};
