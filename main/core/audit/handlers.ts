import type { auditOperations } from '../../../shared/contract/audit.js';
import { roleAllows } from '../../../shared/permissions.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { CoreServices } from '../services.js';
import { verificationDetails, type AuditScope, type Verifier } from './records.js';
import { auditIdentityOf } from './trail.js';

/**
 * Who sees what, on top of the door's permission check: `audit.all` (admin) sees
 * every row; `audit.matters` (lawyer) only rows whose target is a client or matter.
 */
function scopeOf(ctx: HandlerContext<CoreServices>): AuditScope {
  const principal = ctx.requirePrincipal();
  if (roleAllows(principal.role, 'audit.all')) return 'all';
  if (roleAllows(principal.role, 'audit.matters')) return 'matters';
  throw new AppError('forbidden', 'Your role does not allow this.');
}

function verifierOf(ctx: HandlerContext<CoreServices>): Verifier {
  const principal = ctx.requirePrincipal();
  if (principal.local) return { type: 'cli' };
  return { type: 'user', id: principal.userId, name: principal.username };
}

export const auditHandlers: { [N in keyof typeof auditOperations]: Handler<N, CoreServices> } = {
  'audit.search': (input, ctx) => {
    const { cursor, limit, ...filter } = input;
    return ctx.services.auditRecords.page(filter, scopeOf(ctx), cursor, limit);
  },

  'audit.get': (input, ctx) => {
    const row = ctx.services.auditRecords.get(input.id, scopeOf(ctx));
    if (!row) throw new AppError('not_found', `There is no audit row ${input.id} that you may see.`);
    return row;
  },

  'audit.export': (input, ctx) => {
    const { format, ...filter } = input;
    const principal = ctx.requirePrincipal();
    const records = ctx.services.auditRecords;
    const maxId = records.lastRowId() ?? 0;
    const ticket = records.exports.prepare({
      query: { ...records.resolve(filter, scopeOf(ctx)), maxId },
      format,
      ...auditIdentityOf(principal),
      face: ctx.call.face,
      address: ctx.call.address,
    });
    // the door records the filter (the input); this ties the delivery row to it
    ctx.audit.details = { ref: ticket.ref, throughId: maxId };
    const { ref: _ref, ...output } = ticket;
    return output;
  },

  'audit.verify': async (input, ctx) => {
    const by = verifierOf(ctx);
    const records = ctx.services.auditRecords;
    const verification = await records.verify(input.from, by);
    ctx.audit.details = verificationDetails(verification);
    ctx.write(() => records.save(verification, by));
    records.announce(verification);
    return verification;
  },

  'audit.integrity': (_input, ctx) => {
    const records = ctx.services.auditRecords;
    const last = records.lastVerification();
    const lastRowId = records.lastRowId();
    const through = last?.intact ? (last.throughId ?? 0) : (last?.rows ?? 0);
    return { last, lastRowId, rowsSince: Math.max(0, (lastRowId ?? 0) - through) };
  },

  'audit.securitySummary': (input, ctx) => ctx.services.auditRecords.securitySummary(input),
};
