import type { privacyOperations } from '../../../shared/contract/privacy.js';
import type { Handler, HandlerContext, Principal } from '../dispatch.js';
import type { CoreServices } from '../services.js';
import { AppError, notFound } from '../errors.js';
import type { Store } from '../db/store.js';
import { auditCounts } from './erasure.js';
import { activeHoldOnClient, activeHoldsOnMatters, holdById, listHolds } from './holds.js';
import { writeRetentionRules } from './retention.js';

type Ctx = HandlerContext<CoreServices>;

/**
 * A lawyer's own matter: one whose conversation, or a conversation of its client,
 * is assigned to them. Admins may hold and release anything.
 */
function mayHold(store: Store, principal: Principal, target: { matterId?: number | null; clientId?: number | null }): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role !== 'lawyer') return false;
  const clientId =
    target.clientId ?? (store.prepare('SELECT client_id FROM matters WHERE id = ?').get(target.matterId ?? 0) as { client_id: number } | undefined)?.client_id;
  if (clientId === undefined || clientId === null) return false;
  const own = store
    .prepare(
      `SELECT 1 FROM conversations c
        WHERE c.assigned_to_id = ? AND (c.client_id = ? OR c.id = (SELECT conversation_id FROM matters WHERE id = ?)) LIMIT 1`,
    )
    .get(principal.userId, clientId, target.matterId ?? 0);
  return own !== undefined;
}

async function retentionState(ctx: Ctx) {
  const { privacy, store } = ctx.services;
  const row = store.prepare('SELECT updated_at, updated_by FROM retention_settings WHERE id = 1').get() as
    | { updated_at: string; updated_by: string | null }
    | undefined;
  return {
    rules: privacy.rules(),
    updatedAt: row?.updated_at ?? null,
    updatedBy: row?.updated_by ?? null,
    lastRun: privacy.lastRun(),
    preview: privacy.retentionPreview(),
  };
}

/** The door's handlers for erasure, legal holds and retention. */
export const privacyHandlers: { [N in keyof typeof privacyOperations]: Handler<N, CoreServices> } = {
  'clients.erasePreview': async (input, ctx) => {
    ctx.audit.target = { type: 'client', id: String(input.clientId) };
    const preview = await ctx.services.privacy.preview(input.clientId);
    if (!preview) throw notFound('client');
    return preview;
  },

  'clients.erase': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { privacy, auth } = ctx.services;
    ctx.audit.target = { type: 'client', id: String(input.clientId) };
    if (principal.local || !(await auth.confirmPassword(principal.userId, input.password, ctx.call))) {
      throw new AppError('invalid_input', 'Your password is not correct.', {
        reason: 'wrong_password',
        issues: [{ path: 'password', message: 'Your password is not correct.' }],
      });
    }
    const backups = await privacy.backupsHoldUntil();
    const plan = privacy.secureDelete(() =>
      ctx.write(() => {
        const plan = privacy.plan(input.clientId);
        if (!plan) throw notFound('client');
        if (plan.blockedBy) {
          throw new AppError(
            'conflict',
            `This client is under legal hold (set by ${plan.blockedBy.setBy}: ${plan.blockedBy.reason}). Nothing can be erased until the hold is released.`,
            { reason: 'legal_hold', holdId: plan.blockedBy.id },
          );
        }
        privacy.execute(plan);
        // counts only: the audit trail never holds the client's name or what they wrote
        ctx.audit.details = { erased: auditCounts(plan.counts, plan.stays), alreadyErased: plan.client.erasedAt !== null };
        return plan;
      }),
    );
    await privacy.afterErasure(plan);
    const erasedAt = (ctx.services.store.prepare('SELECT erased_at FROM clients WHERE id = ?').get(input.clientId) as { erased_at: string }).erased_at;
    return { client: { id: input.clientId, erasedAt }, erased: plan.counts, stays: plan.stays, backupsHoldUntil: backups.until };
  },

  'holds.list': (input, ctx) => ({ items: listHolds(ctx.services.store, input) }),

  'holds.set': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, clock, events } = ctx.services;
    if (input.matterId !== undefined && !store.prepare('SELECT 1 FROM matters WHERE id = ?').get(input.matterId)) throw notFound('matter');
    if (input.clientId !== undefined && !store.prepare('SELECT 1 FROM clients WHERE id = ?').get(input.clientId)) throw notFound('client');
    if (!mayHold(store, principal, input)) {
      throw new AppError('forbidden', 'Only an admin, or the lawyer whose matter this is, can put it under legal hold.');
    }
    ctx.audit.target = input.matterId !== undefined ? { type: 'matter', id: String(input.matterId) } : { type: 'client', id: String(input.clientId) };
    const existing = input.matterId !== undefined ? activeHoldsOnMatters(store, [input.matterId]).get(input.matterId) : activeHoldOnClient(store, input.clientId!);
    if (existing) {
      throw new AppError('conflict', `It is already under legal hold (set by ${existing.setBy} on ${existing.setAt.slice(0, 10)}).`, {
        reason: 'already_held',
        holdId: existing.id,
      });
    }
    const id = ctx.write(() => {
      const result = store
        .prepare('INSERT INTO legal_holds (matter_id, client_id, reason, set_by_id, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(input.matterId ?? null, input.clientId ?? null, input.reason, principal.userId, principal.displayName || principal.username, clock.now().toISOString());
      return Number(result.lastInsertRowid);
    });
    if (input.matterId !== undefined) events.emit('matters.changed', { matterId: input.matterId });
    return holdById(store, id)!;
  },

  'holds.release': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, clock, events } = ctx.services;
    const hold = holdById(store, input.holdId);
    if (!hold) throw notFound('legal hold');
    ctx.audit.target = { type: 'legal_hold', id: String(hold.id) };
    const setById = (store.prepare('SELECT set_by_id FROM legal_holds WHERE id = ?').get(hold.id) as { set_by_id: string | null }).set_by_id;
    if (!mayHold(store, principal, hold) && !(principal.role === 'lawyer' && setById === principal.userId)) {
      throw new AppError('forbidden', 'Only an admin, the lawyer whose matter this is, or the lawyer who set the hold can release it.');
    }
    if (hold.releasedAt) {
      throw new AppError('conflict', `This hold was already released by ${hold.releasedBy} on ${hold.releasedAt.slice(0, 10)}.`, { reason: 'already_released' });
    }
    ctx.write(() => {
      store
        .prepare('UPDATE legal_holds SET released_by_id = ?, released_by = ?, released_at = ? WHERE id = ? AND released_at IS NULL')
        .run(principal.userId, principal.displayName || principal.username, clock.now().toISOString(), hold.id);
    });
    if (hold.matterId !== null) events.emit('matters.changed', { matterId: hold.matterId });
    return holdById(store, hold.id)!;
  },

  'retention.get': (_input, ctx) => retentionState(ctx),

  'retention.update': async (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, clock } = ctx.services;
    const before = ctx.services.privacy.rules();
    ctx.write(() => {
      writeRetentionRules(store, input.rules, principal.displayName || principal.username, clock.now().toISOString());
      ctx.audit.details = { before, after: input.rules };
    });
    return retentionState(ctx);
  },

  'retention.preview': (input, ctx) => ctx.services.privacy.retentionPreview(input.rules),
};
