import type { DocumentItem, documentOperations } from '../../../shared/contract/documents.js';
import { roleAllows } from '../../../shared/permissions.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import { AppError, notFound } from '../errors.js';
import type { CoreServices } from '../services.js';
import { addHistory } from '../bot/records.js';
import { toItem } from './service.js';
import { documentRefusal, type DocumentRow } from './store.js';

type Ctx = HandlerContext<CoreServices>;

const target = (id: number) => ({ type: 'document', id: String(id) });

/**
 * Who sees a document: everyone with the inbox sees the documents of a
 * conversation; the documents of a matter or a client with no conversation are
 * for those who have matters (lawyers, admins).
 */
function mustSee(ctx: Ctx, row: DocumentRow): void {
  const principal = ctx.requirePrincipal();
  if (row.conversation_id !== null) return;
  if (!roleAllows(principal.role, 'matters')) throw new AppError('forbidden', 'Your role does not allow this document.');
}

function mustHaveMatters(ctx: Ctx): void {
  if (!roleAllows(ctx.requirePrincipal().role, 'matters')) throw new AppError('forbidden', 'Your role does not allow the documents of matters.');
}

function documentRow(ctx: Ctx, id: number): DocumentRow {
  const row = ctx.services.documents.store.get(id);
  if (!row) throw notFound('That document does not exist.');
  mustSee(ctx, row);
  return row;
}

function staffName(ctx: Ctx): { id: string; name: string } {
  const p = ctx.requirePrincipal();
  return { id: p.userId, name: p.displayName || p.username };
}

export const documentHandlers: { [N in keyof typeof documentOperations]: Handler<N, CoreServices> } = {
  'documents.list': (input, ctx) => {
    const store = ctx.services.store;
    let query = store.db.selectFrom('documents').selectAll();
    if (input.conversationId !== undefined) {
      ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
      query = query.where('conversation_id', '=', input.conversationId);
    } else if (input.matterId !== undefined) {
      mustHaveMatters(ctx);
      ctx.audit.target = { type: 'matter', id: String(input.matterId) };
      query = query.where('matter_id', '=', input.matterId);
    } else {
      mustHaveMatters(ctx);
      ctx.audit.target = { type: 'client', id: String(input.clientId) };
      query = query.where('client_id', '=', input.clientId!);
    }
    return { items: store.all(query.orderBy('id', 'desc').limit(500)).map(toItem) };
  },

  'documents.get': (input, ctx) => {
    ctx.audit.target = target(input.documentId);
    return toItem(documentRow(ctx, input.documentId));
  },

  'documents.open': (input, ctx) => {
    ctx.audit.target = target(input.documentId);
    const document = toItem(documentRow(ctx, input.documentId));
    ctx.audit.details = { disposition: input.disposition, sha256: document.sha256 };
    if (input.disposition === 'inline' && document.preview !== 'image' && document.preview !== 'pdf') {
      throw documentRefusal(
        'not_inline',
        document.mismatch
          ? 'This file does not contain what its name or type says, so LexDesk does not open it. Download it and check it with care.'
          : 'This kind of file does not open inside LexDesk. Download it instead.',
      );
    }
    return {
      document,
      disposition: input.disposition,
      contentType: input.disposition === 'inline' ? document.detectedType! : 'application/octet-stream',
    };
  },

  'documents.upload': async (input, ctx) => {
    const { services } = ctx;
    const staff = staffName(ctx);
    const upload = ctx.call.upload;
    if (!upload) throw documentRefusal('no_file', 'No file came with the upload.');
    const store = services.store;
    let clientId: number | null = null;
    if (input.conversationId !== undefined) {
      ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
      const conversation = store.get(store.db.selectFrom('conversations').select(['id', 'client_id']).where('id', '=', input.conversationId));
      if (!conversation) throw notFound('That conversation does not exist.');
      clientId = conversation.client_id;
    } else {
      mustHaveMatters(ctx);
      ctx.audit.target = { type: 'matter', id: String(input.matterId) };
      const matter = store.get(store.db.selectFrom('matters').select(['id', 'client_id']).where('id', '=', input.matterId!));
      if (!matter) throw notFound('That matter does not exist.');
      clientId = matter.client_id;
    }
    const blob = await services.documents.store.write(upload.stream, {
      fileName: input.fileName ?? upload.fileName ?? null,
      declaredType: input.declaredType ?? upload.declaredType ?? null,
      expectedSize: input.size ?? upload.size ?? null,
    });
    const row = ctx.write(() => {
      const inserted = services.documents.store.insert(blob, {
        source: 'staff',
        createdById: staff.id,
        createdBy: staff.name,
        conversationId: input.conversationId ?? null,
        matterId: input.matterId ?? null,
        clientId,
      });
      ctx.audit.details = { documentId: inserted.id, size: inserted.size, sha256: inserted.sha256, detectedType: inserted.detected_type };
      if (input.matterId !== undefined) {
        addHistory(store, { matterId: input.matterId, at: inserted.created_at, actor: { type: 'user', ...staff }, action: 'document', newValue: inserted.file_name });
      }
      return inserted;
    });
    if (input.matterId !== undefined) services.events.emit('matters.changed', { matterId: input.matterId });
    return toItem(row);
  },

  'documents.attachToMatter': (input, ctx): DocumentItem => {
    const { services } = ctx;
    const store = services.store;
    const staff = staffName(ctx);
    ctx.audit.target = target(input.documentId);
    const row = documentRow(ctx, input.documentId);
    const matter = store.get(store.db.selectFrom('matters').select(['id', 'client_id', 'reference']).where('id', '=', input.matterId));
    if (!matter) throw notFound('That matter does not exist.');
    const conversationClient =
      row.conversation_id === null
        ? null
        : (store.get(store.db.selectFrom('conversations').select('client_id').where('id', '=', row.conversation_id))?.client_id ?? null);
    const owner = row.client_id ?? conversationClient;
    if (owner !== matter.client_id) {
      throw new AppError('forbidden', "That matter belongs to another client: a client's document can be filed only under that client's matters.");
    }
    ctx.audit.details = { matterId: matter.id, reference: matter.reference };
    const at = services.clock.now().toISOString();
    ctx.write(() => {
      store.run(store.db.updateTable('documents').set({ matter_id: matter.id, client_id: matter.client_id }).where('id', '=', row.id));
      addHistory(store, { matterId: matter.id, at, actor: { type: 'user', ...staff }, action: 'document', newValue: row.file_name });
    });
    services.events.emit('matters.changed', { matterId: matter.id });
    if (row.conversation_id !== null) services.events.emit('inbox.changed', { conversationId: row.conversation_id, reason: 'staff' });
    return toItem(services.documents.store.mustGet(row.id));
  },

  'documents.discard': async (input, ctx) => {
    const { services } = ctx;
    const store = services.store;
    const principal = ctx.requirePrincipal();
    ctx.audit.target = target(input.documentId);
    const row = documentRow(ctx, input.documentId);
    const kept = (why: string) => new AppError('conflict', why, { reason: 'in_use' });
    if (row.source !== 'staff' || row.conversation_id === null) throw kept('Only a file staff uploaded for a conversation, and did not send, can be dropped.');
    if (row.created_by_id !== principal.userId && principal.role !== 'admin') throw new AppError('forbidden', 'Only the person who uploaded this file can drop it.');
    ctx.audit.details = { fileName: row.file_name, sha256: row.sha256 };
    ctx.write(() => {
      // checked again in the transaction: a send or a filing that came first keeps the file
      const current = store.get(store.db.selectFrom('documents').select(['matter_id']).where('id', '=', row.id));
      if (!current) throw notFound('That document does not exist.');
      if (current.matter_id !== null) throw kept('This file is filed under a matter: it stays with the matter.');
      const used =
        store.get(store.db.selectFrom('conversation_messages').select('id').where('document_id', '=', row.id).limit(1)) ??
        store.get(store.db.selectFrom('whatsapp_outbox').select('id').where('document_id', '=', row.id).limit(1)) ??
        store.get(store.db.selectFrom('pdf_jobs').select('id').where('document_id', '=', row.id).limit(1));
      if (used) throw kept('This file was already sent: it stays in the conversation.');
      store.run(store.db.deleteFrom('documents').where('id', '=', row.id));
    });
    await services.documents.store.removeIfUnused(row.sha256);
    services.events.emit('inbox.changed', { conversationId: row.conversation_id, reason: 'staff' });
    return { discarded: true as const };
  },
};
