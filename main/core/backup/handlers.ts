import { auditIdentityOf } from '../audit/trail.js';
import type { SnapshotItem } from '../../../shared/contract/backup.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import type { CoreServices } from '../services.js';
import { AppError } from '../errors.js';
import type { Origin } from './ports.js';

type BackupOperation =
  | 'backup.list'
  | 'backup.snapshots'
  | 'backup.create'
  | 'backup.verify'
  | 'backup.snapshots.verify'
  | 'backup.restore'
  | 'backup.settings.get'
  | 'backup.settings.update'
  | 'backup.unlock';

/** The caller as the backup service records it (the door records the call itself too). */
function originOf(ctx: HandlerContext<CoreServices>): Origin {
  return {
    face: ctx.call.face,
    actor: ctx.principal ? auditIdentityOf(ctx.principal).actor : { type: 'system' },
    requestId: ctx.requestId,
  };
}

export const backupHandlers: { [N in BackupOperation]: Handler<N, CoreServices> } = {
  'backup.list': async (_input, { services }) => ({ ...(await services.backups.overview()), offsite: services.offsite.where() }),

  'backup.snapshots': async (input, { services }) => {
    const listed = await services.backups.listSnapshots(input.at);
    // a snapshot whose manifest is on the off-site target exists there too
    const there = new Set(services.offsite.where()?.ids ?? []);
    const located = (s: SnapshotItem): SnapshotItem => (there.has(s.id) ? { ...s, locations: [...s.locations, 'off-site'] } : s);
    return { ...listed, snapshots: listed.snapshots.map(located), resolved: listed.resolved && located(listed.resolved) };
  },

  'backup.create': async (input, ctx) => {
    const item = await ctx.services.backups.create('manual', originOf(ctx), { sqlDump: input.sqlDump });
    ctx.audit.target = { type: 'backup', id: item.id };
    ctx.audit.details = { sizeBytes: item.sizeBytes, status: item.status };
    return item;
  },

  'backup.verify': async (input, ctx) => {
    ctx.audit.target = { type: 'backup', id: input.id };
    const item = await ctx.services.backups.verify(input.id, originOf(ctx), { passphrase: input.passphrase });
    ctx.audit.details = { status: item.status, failure: item.failure };
    return item;
  },

  'backup.snapshots.verify': async (input, ctx) => {
    ctx.audit.target = { type: 'backup', id: input.id };
    const problem = await ctx.services.backups.verifySnapshot(input.id);
    ctx.audit.details = { snapshot: true, problem };
    const item = (await ctx.services.backups.listSnapshots()).snapshots.find((s) => s.id === input.id);
    if (!item) throw new AppError('not_found', `There is no snapshot ${input.id}.`);
    return item;
  },

  'backup.restore': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    await ctx.services.backups.checkPassword(principal.userId, input.password, ctx.call);
    const id = input.id ?? (await ctx.services.backups.resolvePointInTime(input.at!));
    ctx.audit.target = { type: 'backup', id };
    const result = await ctx.services.backups.restore(id, originOf(ctx), {
      passphrase: input.passphrase,
      keep: { userId: principal.userId, sessionId: principal.sessionId },
      call: ctx.call,
    });
    ctx.audit.details = { ...(input.at ? { at: input.at } : {}), preRestoreBackupId: result.preRestoreBackupId, schemaFrom: result.schemaFrom, sessionsEnded: result.sessionsEnded };
    return result;
  },

  'backup.settings.get': (_input, { services }) => services.backups.getSettings(),

  'backup.settings.update': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { password, ...patch } = input;
    if (patch.passphrase !== undefined) await ctx.services.backups.checkPassword(principal.userId, password, ctx.call);
    ctx.audit.details = {
      changed: Object.keys(patch).filter((k) => k !== 'passphrase'),
      passphraseChanged: patch.passphrase !== undefined,
    };
    return ctx.services.backups.updateSettings(patch, originOf(ctx));
  },
  'backup.unlock': (input, ctx) => ctx.services.backups.unlock(input.passphrase, originOf(ctx)),
};
