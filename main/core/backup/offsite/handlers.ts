import type { Handler } from '../../dispatch.js';
import { AppError } from '../../errors.js';
import { fetchFromTarget } from './engine.js';
import { SftpTarget } from './sftp-target.js';
import { openTarget } from './targets.js';
import type { CoreServices } from '../../services.js';

const ANSWER_WITHIN_MS = 20_000;

type OffsiteOperation = 'backup.offsite.get' | 'backup.offsite.set' | 'backup.offsite.test' | 'backup.offsite.copyNow' | 'backup.firstRunRestore';

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

  'backup.firstRunRestore': async (input, ctx) => {
    const { auth, backups } = ctx.services;
    auth.firstRunOnly(input.setupCode, ctx.call);
    const target = openTarget(input.target, input.credentials ?? {}, { hostKey: input.hostKey ?? null });
    ctx.audit.details = { kind: input.target.kind, target: target.label };
    let fetched;
    try {
      fetched = await fetchFromTarget(target, backups.destination().dir);
    } catch (err) {
      throw new AppError('conflict', `The backups could not be fetched from ${target.label}: ${(err as Error)?.message ?? String(err)} Try again: what arrived is kept.`, {
        reason: 'fetch_failed',
      });
    }
    const hostKey = target instanceof SftpTarget ? target.seenHostKey : null;
    // the newest there is: a snapshot, or a backup file older than every snapshot
    const snapshot = (await backups.listSnapshots()).snapshots.filter((s) => s.restorable).at(-1);
    const files = (await backups.overview()).backups.filter((b) => b.status === 'verified');
    const newest = [...(snapshot ? [snapshot] : []), ...files]
      .map((x) => ({ id: x.id, createdAt: x.createdAt }))
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
    if (!newest) throw new AppError('not_found', `${target.label} holds no backup of LexDesk.`, { reason: 'no_backup' });
    // someone may have created the administrator meanwhile: the restore would replace that account (checked again, not counted again against the limit)
    if (!auth.status().needsSetup) throw new AppError('conflict', 'LexDesk already has an administrator. Sign in instead.');
    ctx.audit.target = { type: 'backup', id: newest.id };
    await backups.restore(newest.id, { face: ctx.call.face, actor: { type: 'system', name: 'first-run restore' }, requestId: ctx.requestId }, { passphrase: input.passphrase });
    ctx.audit.details = { ...ctx.audit.details, fetchedFiles: fetched.downloaded, fetchedBytes: fetched.downloadedBytes };
    return { id: newest.id, createdAt: newest.createdAt, fetchedFiles: fetched.downloaded + fetched.skipped, fetchedBytes: fetched.downloadedBytes, hostKey };
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
