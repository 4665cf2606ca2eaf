import type { Store } from '../db/store.js';
import type { BotSettingsStore } from '../bot/settings.js';
import { dateLocale } from '../bot/machine.js';
import type { MatterStatus } from '../../../shared/bot.js';
import type { ReportPdfData, ReportSection } from '../pdf/report-pdf.js';
import { exportDocumentIds } from './records.js';

/**
 * A client's copy of their data, as the client may see it: their details,
 * consents, every message of their conversations (the times, who wrote, the
 * text), the documents they sent and the ones the office sent them (intake
 * summaries included), their data requests, and their matters with what the bot
 * tells them of each (reference, area, status, next step, dates, and what they
 * typed at intake). Never the office's own records: internal notes of matters and
 * conversations, conflict hits, assignments, staff-only fields, files staff kept
 * for a matter without sending them.
 */
export interface ClientCopy {
  profile: { name: string; whatsapp: string; whatsappName: string | null; language: string | null; clientSince: string };
  consents: { noticeVersion: string; at: string }[];
  conversations: {
    startedAt: string;
    messages: { at: string; direction: 'in' | 'out'; from: 'client' | 'bot' | 'staff'; staffName: string | null; text: string; fileName: string | null; documentId: number | null }[];
  }[];
  documents: { id: number; fileName: string; type: string; size: number; sha256: string; receivedOrSentAt: string; from: 'client' | 'office'; path: string }[];
  matters: {
    reference: string;
    practiceArea: string;
    status: MatterStatus;
    nextStep: string | null;
    description: string;
    otherParty: string | null;
    deadline: string | null;
    openedAt: string;
    updatedAt: string;
  }[];
  dataRequests: { kind: string; at: string; status: string; resolvedAt: string | null }[];
}

export function clientCopy(store: Store, clientId: number, documentPath: (id: number, fileName: string) => string): ClientCopy | null {
  const client = store.get(store.db.selectFrom('clients').selectAll().where('id', '=', clientId));
  if (!client) return null;
  const conversations = store.all(
    store.db
      .selectFrom('conversations')
      .select(['id', 'created_at'])
      .where((eb) => eb.or([eb('client_id', '=', clientId), eb('whatsapp', '=', client.whatsapp)]))
      .orderBy('id'),
  );
  const conversationIds = conversations.map((c) => c.id);
  const messages = conversationIds.length
    ? store.all(
        store.db
          .selectFrom('conversation_messages')
          .select(['conversation_id', 'direction', 'author', 'author_name', 'text', 'file_name', 'document_id', 'at'])
          .where('conversation_id', 'in', conversationIds)
          .orderBy('id'),
      )
    : [];
  const matters = store.all(store.db.selectFrom('matters').selectAll().where('client_id', '=', clientId).orderBy('id'));
  const matterIds = matters.map((m) => m.id);

  // the client's files: what they sent, what the office sent them, their intake summaries
  const sentToClient = new Set(messages.filter((m) => m.direction === 'out' && m.document_id !== null).map((m) => m.document_id!));
  const exports = exportDocumentIds(store);
  const candidates = store.all(
    store.db
      .selectFrom('documents')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('client_id', '=', clientId),
          ...(conversationIds.length ? [eb('conversation_id', 'in', conversationIds)] : []),
          ...(matterIds.length ? [eb('matter_id', 'in', matterIds)] : []),
        ]),
      )
      .orderBy('id'),
  );
  const documents = candidates
    .filter((d) => !exports.has(d.id) && (d.source === 'client' || d.source === 'intake' || sentToClient.has(d.id)))
    .map((d) => ({
      id: d.id,
      fileName: d.file_name,
      type: d.detected_type ?? d.declared_type,
      size: d.size,
      sha256: d.sha256,
      receivedOrSentAt: d.created_at,
      from: d.source === 'client' ? ('client' as const) : ('office' as const),
      path: documentPath(d.id, d.file_name),
    }));

  const consents = store.all(
    store.db
      .selectFrom('consents')
      .select(['notice_version', 'at'])
      .where((eb) => eb.or([eb('client_id', '=', clientId), eb('whatsapp', '=', client.whatsapp)]))
      .orderBy('id'),
  );
  const requests = store.all(
    store.db
      .selectFrom('data_requests')
      .select(['kind', 'created_at', 'status', 'resolved_at'])
      .where((eb) => eb.or([eb('client_id', '=', clientId), eb('whatsapp', '=', client.whatsapp)]))
      .orderBy('id'),
  );

  return {
    profile: { name: client.name, whatsapp: client.whatsapp, whatsappName: client.push_name, language: client.language, clientSince: client.created_at },
    consents: consents.map((c) => ({ noticeVersion: c.notice_version, at: c.at })),
    conversations: conversations.map((c) => ({
      startedAt: c.created_at,
      messages: messages
        .filter((m) => m.conversation_id === c.id)
        .map((m) => ({
          at: m.at,
          direction: m.direction,
          from: m.author,
          staffName: m.author === 'staff' ? m.author_name : null,
          text: m.text,
          fileName: m.file_name,
          documentId: m.document_id !== null && documents.some((d) => d.id === m.document_id) ? m.document_id : null,
        })),
    })),
    documents,
    matters: matters.map((m) => ({
      reference: m.reference,
      practiceArea: m.practice_area,
      status: m.status,
      nextStep: m.next_step,
      description: m.description,
      otherParty: m.opposing_party,
      deadline: m.deadline,
      openedAt: m.created_at,
      updatedAt: m.updated_at,
    })),
    dataRequests: requests.map((r) => ({ kind: r.kind, at: r.created_at, status: r.status, resolvedAt: r.resolved_at })),
  };
}

/**
 * The language the copy is written in: the client's, else that of their
 * conversation, else the office's; one the office offers or LexDesk ships (a
 * language the office stopped offering still reads better than a switch).
 */
export function copyLanguage(settings: BotSettingsStore, candidates: (string | null)[]): string {
  const known = new Set([...settings.offered(), ...settings.languages().map((l) => l.code)]);
  return candidates.find((l): l is string => !!l && known.has(l)) ?? settings.get().behaviour.language;
}

/** The PDF summary of a client's copy, in `language`. */
export function copyPdfData(settings: BotSettingsStore, copy: ClientCopy, language: string, at: string): ReportPdfData {
  const office = settings.get();
  const texts = settings.texts(language);
  const locale = dateLocale(language, office.behaviour.dateOrder);
  const tz = office.hours.timeZone;
  // one formatter for the whole copy: building one per message costs more than the rest of the summary
  let format: Intl.DateTimeFormat | null;
  try {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz });
  } catch {
    format = null;
  }
  const when = (iso: string) => {
    const date = new Date(iso);
    return format && !Number.isNaN(date.getTime()) ? format.format(date) : iso;
  };
  const name = office.profile.name;
  const none = texts.t('copy.none');
  const sections: ReportSection[] = [
    {
      heading: texts.t('copy.profile'),
      empty: none,
      items: [
        { kind: 'fact', label: texts.t('pdf.name'), value: copy.profile.name },
        { kind: 'fact', label: texts.t('pdf.whatsapp'), value: `+${copy.profile.whatsapp}` },
        ...(copy.profile.language ? [{ kind: 'fact' as const, label: texts.t('copy.language'), value: copy.profile.language }] : []),
        { kind: 'fact', label: texts.t('copy.since'), value: when(copy.profile.clientSince) },
      ],
    },
    {
      heading: texts.t('copy.consents'),
      empty: none,
      items: copy.consents.map((c) => ({ kind: 'text' as const, text: texts.t('copy.consent_line', { version: c.noticeVersion, at: when(c.at) }) })),
    },
    {
      heading: texts.t('copy.matters'),
      empty: none,
      items: copy.matters.flatMap((m) => [
        { kind: 'entry' as const, heading: `${m.reference} · ${m.practiceArea}`, text: m.description },
        { kind: 'fact' as const, label: texts.t('copy.status'), value: texts.t(`status.${m.status}`) },
        { kind: 'fact' as const, label: texts.t('copy.next_step'), value: m.nextStep ?? texts.t('status.no_next_step') },
        ...(m.otherParty ? [{ kind: 'fact' as const, label: texts.t('pdf.opposing'), value: m.otherParty }] : []),
        ...(m.deadline ? [{ kind: 'fact' as const, label: texts.t('pdf.deadline'), value: m.deadline }] : []),
        { kind: 'fact' as const, label: texts.t('copy.opened'), value: when(m.openedAt) },
        { kind: 'fact' as const, label: texts.t('copy.updated'), value: when(m.updatedAt) },
      ]),
    },
    {
      heading: texts.t('copy.messages'),
      empty: none,
      items: copy.conversations.flatMap((c) =>
        c.messages.map((m) => ({
          kind: 'entry' as const,
          heading: `${when(m.at)} · ${m.from === 'client' ? texts.t('copy.you') : m.staffName ? `${texts.t('copy.office')} (${m.staffName})` : texts.t('copy.office')}`,
          text: m.text,
          ...(m.fileName ? { note: `— ${m.fileName}` } : {}),
        })),
      ),
    },
    {
      heading: texts.t('copy.documents'),
      empty: none,
      items: copy.documents.map((d) => ({
        kind: 'entry' as const,
        heading: `${when(d.receivedOrSentAt)} · ${d.from === 'client' ? texts.t('copy.you') : texts.t('copy.office')}`,
        text: d.fileName,
        note: `${d.path} · ${d.size.toLocaleString(locale)} B · SHA-256 ${d.sha256}`,
      })),
    },
  ];
  return {
    office: name,
    title: texts.t('copy.title'),
    intro: [`${copy.profile.name} · +${copy.profile.whatsapp}`, texts.t('copy.intro', { office: name, date: when(at) })],
    sections,
    pageLabel: texts.t('pdf.page'),
    footer: `${name} · ${texts.t('copy.title')}`,
    info: { subject: texts.t('copy.title') },
    language,
    createdAt: at,
  };
}
