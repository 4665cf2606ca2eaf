import { randomBytes } from 'node:crypto';
import { EVIDENCE_FORMAT, type exportOperations } from '../../../shared/contract/exports.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import { AppError, notFound } from '../errors.js';
import type { CoreServices } from '../services.js';
import { getOrCreateSecret } from '../secrets.js';
import { sendDocument } from '../bot/inbox.js';
import { toItem } from '../documents/service.js';
import { slices, type DocumentRow } from '../documents/store.js';
import { clientCopy, copyLanguage, copyPdfData } from './access.js';
import { entryName, zipBundle } from './bundle.js';
import { evidenceContent, evidencePdfData } from './evidence.js';
import { auditHead, dataHistory, recordExport } from './records.js';
import { contentHashOf, EVIDENCE_KEY_SECRET, sealEvidence, sha256, type EvidenceBody } from './seal.js';

type Ctx = HandlerContext<CoreServices>;

/** WhatsApp takes documents up to this size. */
const WHATSAPP_MAX_BYTES = 64 * 1024 * 1024;

function staffOf(ctx: Ctx): { id: string; name: string } {
  const p = ctx.requirePrincipal();
  return { id: p.userId, name: p.displayName || p.username };
}

/** Keeps an export's file in the document store (encrypted like every document), not yet named by a row. */
async function keep(ctx: Ctx, data: Buffer, fileName: string, declaredType: string) {
  return ctx.services.documents.store.write(slices(data), { fileName, declaredType, maxBytes: Math.max(data.length, 1) });
}

const day = (iso: string) => iso.slice(0, 10);

async function evidenceKey(ctx: Ctx): Promise<Buffer> {
  const { value } = await getOrCreateSecret(ctx.services.secrets, EVIDENCE_KEY_SECRET, () => randomBytes(32).toString('base64'));
  return Buffer.from(value, 'base64');
}

export const exportHandlers: { [N in keyof typeof exportOperations]: Handler<N, CoreServices> } = {
  'clients.dataHistory': (input, ctx) => {
    ctx.audit.target = { type: 'client', id: String(input.clientId) };
    const items = dataHistory(ctx.services.store, input.clientId);
    if (!items) throw notFound('That client does not exist.');
    return { items };
  },

  'clients.exportData': async (input, ctx) => {
    const { services } = ctx;
    const store = services.store;
    const staff = staffOf(ctx);
    ctx.audit.target = { type: 'client', id: String(input.clientId) };
    const client = store.get(store.db.selectFrom('clients').select(['id', 'name', 'whatsapp', 'language']).where('id', '=', input.clientId));
    if (!client) throw notFound('That client does not exist.');
    if (input.requestId !== undefined) {
      const request = store.get(store.db.selectFrom('data_requests').selectAll().where('id', '=', input.requestId));
      if (!request || (request.client_id !== client.id && request.whatsapp !== client.whatsapp)) throw notFound("That data request is not this client's.");
      if (request.status === 'done') throw new AppError('conflict', 'That data request was already closed.', { reason: 'request_closed' });
    }
    const conversation = store.get(
      store.db
        .selectFrom('conversations')
        .select(['id', 'language'])
        .where((eb) => eb.or([eb('client_id', '=', client.id), eb('whatsapp', '=', client.whatsapp)]))
        .orderBy('last_activity_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1),
    );
    if (input.deliver === 'whatsapp' && !conversation) {
      throw new AppError('conflict', 'This client has no WhatsApp conversation to send the copy to. Save it instead and hand it over another way.', { reason: 'no_conversation' });
    }
    if (input.deliver === 'whatsapp') services.bot.outbox(); // WhatsApp must be set up: refused before any work

    const at = services.clock.now().toISOString();
    const copy = clientCopy(store, client.id, (id, fileName) => `documents/${id}-${entryName(fileName)}`)!;
    const language = copyLanguage(services.bot.settings, [client.language, conversation?.language ?? null]);
    const pdf = await services.bot.workers.report(copyPdfData(services.bot.settings, copy, language, at));
    const base = `data-copy-${entryName(client.name).replace(/\s+/g, '-')}-${day(at)}`;
    const files = [];
    for (const d of copy.documents) {
      const { data } = await services.documents.store.readAll(d.id);
      files.push({ name: d.path, data });
    }
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    const zip = await zipBundle(
      [
        { name: `${base}.pdf`, data: pdf },
        { name: 'profile.json', data: json(copy.profile) },
        { name: 'consents.json', data: json(copy.consents) },
        { name: 'conversations.json', data: json(copy.conversations) },
        { name: 'matters.json', data: json(copy.matters) },
        { name: 'documents.json', data: json(copy.documents) },
        { name: 'data-requests.json', data: json(copy.dataRequests) },
        ...files,
      ],
      new Date(at),
    );
    if (input.deliver === 'whatsapp' && zip.length > WHATSAPP_MAX_BYTES) {
      throw new AppError('conflict', `The copy is ${Math.ceil(zip.length / 1024 / 1024)} MB, more than WhatsApp takes (64 MB). Save it instead and hand it over another way.`, {
        reason: 'too_large_for_whatsapp',
      });
    }
    const pdfBlob = await keep(ctx, pdf, `${base}.pdf`, 'application/pdf');
    const zipBlob = await keep(ctx, zip, `${base}.zip`, 'application/zip');
    const counts = {
      messages: copy.conversations.reduce((n, c) => n + c.messages.length, 0),
      documents: copy.documents.length,
      matters: copy.matters.length,
      consents: copy.consents.length,
    };

    const result = ctx.write(() => {
      const meta = { source: 'staff' as const, createdById: staff.id, createdBy: staff.name, conversationId: conversation?.id ?? null, clientId: client.id, at };
      const pdfRow = services.documents.store.insert(pdfBlob, meta);
      const zipRow = services.documents.store.insert(zipBlob, meta);
      const exportId = recordExport(store, {
        kind: 'client',
        client_id: client.id,
        conversation_id: conversation?.id ?? null,
        matter_id: null,
        request_id: input.requestId ?? null,
        delivered: input.deliver,
        document_id: zipRow.id,
        pdf_document_id: pdfRow.id,
        sha256: zipRow.sha256,
        audit_head_id: null,
        audit_head_hash: null,
        by_id: staff.id,
        by_name: staff.name,
        at,
      });
      if (input.deliver === 'whatsapp') {
        const outbox = services.bot.outbox();
        const caption = services.bot.settings.texts(language).t('copy.caption', { office: services.bot.settings.get().profile.name });
        for (const [row, suffix, text] of [[pdfRow, 'pdf', caption], [zipRow, 'zip', undefined]] as [DocumentRow, string, string | undefined][]) {
          sendDocument(store, outbox, {
            conversationId: conversation!.id,
            documentId: row.id,
            caption: text,
            staff,
            at,
            requestId: `${ctx.requestId}:${suffix}`,
          });
        }
      }
      if (input.requestId !== undefined) {
        const how = input.deliver === 'whatsapp' ? 'sent to the client on WhatsApp' : 'saved for the office to hand over';
        store.run(
          store.db
            .updateTable('data_requests')
            .set({
              status: 'done',
              resolved_at: at,
              resolved_by: staff.name,
              resolution: `Copy of the client's data ${how} by ${staff.name}: ${zipRow.file_name} (SHA-256 ${zipRow.sha256}) with ${pdfRow.file_name}.`,
            })
            .where('id', '=', input.requestId),
        );
      }
      ctx.audit.details = {
        clientId: client.id,
        delivered: input.deliver,
        requestId: input.requestId ?? null,
        language,
        zip: { documentId: zipRow.id, sha256: zipRow.sha256, size: zipRow.size },
        pdf: { documentId: pdfRow.id, sha256: pdfRow.sha256 },
        counts,
      };
      return { exportId, zipRow, pdfRow };
    });
    if (conversation) services.events.emit('inbox.changed', { conversationId: conversation.id, reason: 'staff' });
    return {
      exportId: result.exportId,
      zip: toItem(result.zipRow),
      pdf: toItem(result.pdfRow),
      delivered: input.deliver,
      requestId: input.requestId ?? null,
      counts,
    };
  },

  'evidence.export': async (input, ctx) => {
    const { services } = ctx;
    const store = services.store;
    const staff = staffOf(ctx);
    const scope = input.conversationId !== undefined ? { conversationId: input.conversationId } : { matterId: input.matterId! };
    ctx.audit.target = 'conversationId' in scope ? { type: 'conversation', id: String(scope.conversationId) } : { type: 'matter', id: String(scope.matterId) };
    const content = evidenceContent(store, scope, services.bot.attached ? services.bot.outbox() : null);
    if (!content) throw notFound('conversationId' in scope ? 'That conversation does not exist.' : 'That matter does not exist.');
    const at = services.clock.now().toISOString();
    const head = auditHead(store);
    const body: EvidenceBody & { content: typeof content } = {
      format: EVIDENCE_FORMAT,
      exportedAt: at,
      exportedBy: { id: staff.id, name: staff.name },
      scope,
      auditHead: head,
      content,
    };
    const contentSha256 = contentHashOf(body);
    const office = services.bot.settings.get().profile.name;
    const pdf = await services.bot.workers.report(evidencePdfData(office, body, contentSha256));
    const base = `evidence-${content.matter ? `matter-${entryName(content.matter.reference)}` : `conversation-${content.conversation!.id}`}-${at.slice(0, 19).replace(/:/g, '')}Z`;
    const json = Buffer.from(sealEvidence(body, contentSha256, { fileName: `${base}.pdf`, sha256: sha256(pdf) }, await evidenceKey(ctx)), 'utf8');
    const pdfBlob = await keep(ctx, pdf, `${base}.pdf`, 'application/pdf');
    const jsonBlob = await keep(ctx, json, `${base}.json`, 'application/json');
    const clientId = content.matter?.clientId ?? content.conversation?.clientId ?? null;
    const result = ctx.write(() => {
      const meta = {
        source: 'staff' as const,
        createdById: staff.id,
        createdBy: staff.name,
        conversationId: content.conversation?.id ?? null,
        matterId: content.matter?.id ?? null,
        clientId,
        at,
      };
      const pdfRow = services.documents.store.insert(pdfBlob, meta);
      const jsonRow = services.documents.store.insert(jsonBlob, meta);
      const exportId = recordExport(store, {
        kind: 'evidence',
        client_id: clientId,
        conversation_id: content.conversation?.id ?? null,
        matter_id: content.matter?.id ?? null,
        request_id: null,
        delivered: 'save',
        document_id: jsonRow.id,
        pdf_document_id: pdfRow.id,
        sha256: jsonRow.sha256,
        audit_head_id: head?.id ?? null,
        audit_head_hash: head?.hash ?? null,
        by_id: staff.id,
        by_name: staff.name,
        at,
      });
      ctx.audit.details = {
        contentSha256,
        json: { documentId: jsonRow.id, sha256: jsonRow.sha256 },
        pdf: { documentId: pdfRow.id, sha256: pdfRow.sha256 },
        auditHead: head,
        messages: content.messages.length,
        documents: content.documents.length,
      };
      return { exportId, pdfRow, jsonRow };
    });
    return { exportId: result.exportId, json: toItem(result.jsonRow), pdf: toItem(result.pdfRow), contentSha256, auditHead: head };
  },
};
