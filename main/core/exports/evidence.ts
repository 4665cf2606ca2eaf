import type { Store } from '../db/store.js';
import type { BotOutbox } from '../bot/link.js';
import type { ReportPdfData, ReportSection } from '../pdf/report-pdf.js';
import { exportDocumentIds } from './records.js';
import type { EvidenceBody } from './seal.js';

/** What an evidence export holds: the messages as they were exchanged and the documents by fingerprint. */
export interface EvidenceContent extends Record<string, unknown> {
  conversation: { id: number; whatsapp: string; clientId: number | null; clientName: string | null; startedAt: string } | null;
  matter: { id: number; reference: string; clientId: number; clientName: string; practiceArea: string; status: string; openedAt: string } | null;
  messages: {
    id: number;
    at: string;
    direction: 'in' | 'out';
    sender: string;
    author: 'client' | 'bot' | 'staff';
    text: string;
    fileName: string | null;
    documentId: number | null;
    delivery: string;
  }[];
  documents: { id: number; fileName: string; type: string; size: number; sha256: string; source: string; at: string; by: string | null }[];
  history: { at: string; by: string | null; action: string; field: string | null; from: string | null; to: string | null }[];
}

export function evidenceContent(store: Store, scope: { conversationId: number } | { matterId: number }, outbox: BotOutbox | null): EvidenceContent | null {
  let conversationId: number | null = null;
  let matter: EvidenceContent['matter'] = null;
  let matterId: number | null = null;
  if ('matterId' in scope) {
    const m = store.get(
      store.db
        .selectFrom('matters as m')
        .innerJoin('clients as c', 'c.id', 'm.client_id')
        .select(['m.id', 'm.reference', 'm.client_id', 'c.name', 'm.practice_area', 'm.status', 'm.created_at', 'm.conversation_id'])
        .where('m.id', '=', scope.matterId),
    );
    if (!m) return null;
    matterId = m.id;
    conversationId = m.conversation_id;
    matter = { id: m.id, reference: m.reference, clientId: m.client_id, clientName: m.name, practiceArea: m.practice_area, status: m.status, openedAt: m.created_at };
  } else {
    conversationId = scope.conversationId;
  }
  const c =
    conversationId === null
      ? undefined
      : store.get(
          store.db
            .selectFrom('conversations as v')
            .leftJoin('clients as c', 'c.id', 'v.client_id')
            .select(['v.id', 'v.whatsapp', 'v.client_id', 'v.push_name', 'c.name', 'v.created_at'])
            .where('v.id', '=', conversationId),
        );
  if ('conversationId' in scope && !c) return null;
  const conversation = c ? { id: c.id, whatsapp: c.whatsapp, clientId: c.client_id, clientName: c.name ?? c.push_name, startedAt: c.created_at } : null;

  const rows = c
    ? store.all(
        store.db
          .selectFrom('conversation_messages')
          .select(['id', 'direction', 'author', 'author_name', 'text', 'file_name', 'document_id', 'outbox_id', 'at'])
          .where('conversation_id', '=', c.id)
          .orderBy('id'),
      )
    : [];
  const outboxIds = rows.flatMap((r) => (r.outbox_id === null ? [] : [r.outbox_id]));
  const delivery = outbox && outboxIds.length ? outbox.delivery(outboxIds) : new Map<number, { state: string }>();
  const clientLabel = conversation?.clientName ?? (conversation ? `+${conversation.whatsapp}` : 'client');
  const messages = rows.map((r) => ({
    id: r.id,
    at: r.at,
    direction: r.direction,
    author: r.author,
    sender: r.author === 'client' ? clientLabel : r.author === 'bot' ? 'LexDesk bot' : (r.author_name ?? 'staff'),
    text: r.text,
    fileName: r.file_name,
    documentId: r.document_id,
    delivery: r.direction === 'in' ? 'received' : (r.outbox_id !== null ? delivery.get(r.outbox_id)?.state : undefined) ?? 'queued',
  }));

  const exports = exportDocumentIds(store);
  const docs = store.all(
    store.db
      .selectFrom('documents')
      .selectAll()
      .where((eb) => eb.or([...(c ? [eb('conversation_id', '=', c.id)] : []), ...(matterId !== null ? [eb('matter_id', '=', matterId)] : [])]))
      .orderBy('id'),
  );
  const documents = docs
    .filter((d) => !exports.has(d.id))
    .map((d) => ({ id: d.id, fileName: d.file_name, type: d.detected_type ?? d.declared_type, size: d.size, sha256: d.sha256, source: d.source, at: d.created_at, by: d.created_by }));
  const history =
    matterId === null
      ? []
      : store
          .all(store.db.selectFrom('matter_history').selectAll().where('matter_id', '=', matterId).orderBy('id'))
          .map((h) => ({ at: h.at, by: h.actor_name, action: h.action, field: h.field, from: h.old_value, to: h.new_value }));
  return { conversation, matter, messages, documents, history };
}

/** The evidence PDF: the same content as the JSON, with the hashes that tie them together. */
export function evidencePdfData(office: string, body: EvidenceBody & { content: EvidenceContent }, contentSha256: string): ReportPdfData {
  const { content } = body;
  const subject = content.matter
    ? `matter ${content.matter.reference} (${content.matter.clientName})`
    : `conversation ${content.conversation!.id} with ${content.conversation!.clientName ?? `+${content.conversation!.whatsapp}`}`;
  const head = body.auditHead;
  const sections: ReportSection[] = [
    {
      heading: 'This export',
      empty: '',
      items: [
        { kind: 'fact', label: 'About', value: subject },
        { kind: 'fact', label: 'Exported at (UTC)', value: body.exportedAt },
        { kind: 'fact', label: 'Exported by', value: body.exportedBy.name },
        { kind: 'fact', label: 'Audit trail head', value: head ? `row ${head.id}, recorded ${head.at}, SHA-256 ${head.hash}` : 'the trail was empty' },
        { kind: 'fact', label: 'Content SHA-256', value: contentSha256 },
        {
          kind: 'text',
          text: 'The JSON file exported with this PDF holds the same content as canonical JSON, sealed by its own hash. Check both with: lexdesk evidence verify <file.json> --pdf <this.pdf>',
        },
      ],
    },
    {
      heading: `Messages (${content.messages.length})`,
      empty: 'No messages.',
      items: content.messages.map((m) => ({
        kind: 'entry' as const,
        heading: `${m.at} · ${m.direction === 'in' ? 'from' : 'to the client, by'} ${m.sender} · ${m.delivery}`,
        text: m.text,
        ...(m.fileName ? { note: `file: ${m.fileName}${m.documentId !== null ? ` (document ${m.documentId})` : ''}` } : {}),
      })),
    },
    {
      heading: `Documents (${content.documents.length})`,
      empty: 'No documents.',
      items: content.documents.map((d) => ({
        kind: 'entry' as const,
        heading: `${d.at} · document ${d.id} · ${d.source}${d.by ? ` · ${d.by}` : ''}`,
        text: d.fileName,
        note: `${d.type} · ${d.size} bytes · SHA-256 ${d.sha256}`,
      })),
    },
    ...(content.matter
      ? [
          {
            heading: 'Matter history',
            empty: 'No changes recorded.',
            items: content.history.map((h) => ({
              kind: 'entry' as const,
              heading: `${h.at} · ${h.by ?? 'LexDesk'} · ${h.action}${h.field ? ` (${h.field})` : ''}`,
              text: h.from !== null || h.to !== null ? `${h.from ?? '—'} → ${h.to ?? '—'}` : '',
            })),
          },
        ]
      : []),
  ];
  return {
    office,
    title: `Evidence export: ${subject}`,
    intro: [`Content SHA-256: ${contentSha256}`],
    sections,
    pageLabel: 'Page {page} of {pages}',
    footer: `Content SHA-256 ${contentSha256.slice(0, 16)}…`,
    info: { subject: `LexDesk evidence export (${body.format})`, keywords: `content-sha256:${contentSha256}` },
    language: 'en',
    createdAt: body.exportedAt,
  };
}
