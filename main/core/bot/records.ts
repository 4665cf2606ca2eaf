import type { Insertable, Selectable } from 'kysely';
import type { ConversationMode } from '../../../shared/bot.js';
import type { ConversationMessagesTable, ConversationsTable, DataRequestsTable, MatterHistoryTable } from '../db/tables.js';
import type { Store } from '../db/store.js';
import { findConflicts, type ConflictHit } from './conflicts.js';
import { localTime } from './hours.js';
import type { CompleteIntake, MatterForStatus } from './machine.js';
import { nameKey } from './names.js';

/**
 * The bot's rows in SQLite: conversations and their thread, clients, matters,
 * consents, conflict hits, data requests and the PDF queue. Every function is
 * synchronous and joins the caller's transaction.
 */

export type ConversationRow = Selectable<ConversationsTable>;

/** A staff member, as the conversation's messages and the matter's history name them. */
export interface Staff {
  id: string;
  name: string;
}

export function conversationByChat(store: Store, chatId: string): ConversationRow | undefined {
  return store.get(store.db.selectFrom('conversations').selectAll().where('chat_id', '=', chatId));
}

export function conversationById(store: Store, id: number): ConversationRow | undefined {
  return store.get(store.db.selectFrom('conversations').selectAll().where('id', '=', id));
}

/** The conversation of a chat, created (with the bot in charge) on the first message. */
export function ensureConversation(
  store: Store,
  input: { chatId: string; whatsapp: string; pushName: string | null; state: string; now: string },
): number {
  const existing = store.get(store.db.selectFrom('conversations').select('id').where('chat_id', '=', input.chatId));
  if (existing) return existing.id;
  const client = clientByWhatsapp(store, input.whatsapp);
  const result = store.run(
    store.db.insertInto('conversations').values({
      chat_id: input.chatId,
      whatsapp: input.whatsapp,
      push_name: input.pushName,
      client_id: client?.id ?? null,
      mode: 'bot',
      state: input.state,
      last_activity_at: input.now,
      created_at: input.now,
    }),
  );
  return Number(result.lastInsertRowid);
}

export function clientByWhatsapp(store: Store, whatsapp: string): { id: number; name: string; language: string | null } | undefined {
  return store.get(store.db.selectFrom('clients').select(['id', 'name', 'language']).where('whatsapp', '=', whatsapp));
}

/** This number's matters for the status answer: its own, and only its own (a declined one is said to be closed without being taken on). */
export function mattersForStatus(store: Store, clientId: number): MatterForStatus[] {
  return store.all(
    store.db
      .selectFrom('matters')
      .select(['reference', 'practice_area as area', 'status', 'next_step as nextStep'])
      .where('client_id', '=', clientId)
      .orderBy('id', 'desc')
      .limit(10),
  );
}

export function hasConsented(store: Store, whatsapp: string, version: string): boolean {
  return (
    store.get(
      store.db.selectFrom('consents').select('id').where('whatsapp', '=', whatsapp).where('notice_version', '=', version).limit(1),
    ) !== undefined
  );
}

/** Where a consent or a data request comes from: the conversation, its number, and the client on record for that number (if any). */
function origin(store: Store, conversationId: number, whatsapp: string) {
  return { conversation_id: conversationId, whatsapp, client_id: clientByWhatsapp(store, whatsapp)?.id ?? null };
}

export function recordConsent(store: Store, input: { conversationId: number; whatsapp: string; version: string; now: string }): number {
  // consenting after a "no" makes the conversation an ordinary one again
  store.run(store.db.updateTable('conversations').set({ declined_at: null }).where('id', '=', input.conversationId));
  const consent = { ...origin(store, input.conversationId, input.whatsapp), notice_version: input.version, at: input.now };
  return Number(store.run(store.db.insertInto('consents').values(consent)).lastInsertRowid);
}

type Message = Selectable<ConversationMessagesTable>;

/** A message of the thread; what is left out is null. */
export type MessageInsert = Pick<Message, 'direction' | 'author' | 'text' | 'at'> & {
  conversationId: number;
  authorId?: string | null;
  authorName?: string | null;
  fileName?: string | null;
  documentId?: number | null;
  /** a client's file that could not be fetched */
  mediaError?: string | null;
  waId?: string | null;
  outboxId?: number | null;
};

export function appendMessage(store: Store, m: MessageInsert): number {
  const row: Insertable<ConversationMessagesTable> = {
    conversation_id: m.conversationId,
    direction: m.direction,
    author: m.author,
    author_id: m.authorId ?? null,
    author_name: m.authorName ?? null,
    text: m.text,
    file_name: m.fileName ?? null,
    document_id: m.documentId ?? null,
    media_error: m.mediaError ?? null,
    wa_id: m.waId ?? null,
    outbox_id: m.outboxId ?? null,
    at: m.at,
  };
  return Number(store.run(store.db.insertInto('conversation_messages').values(row)).lastInsertRowid);
}

/** A client's document joins its conversation (and the conversation's client, once known). */
export function linkDocument(store: Store, documentId: number, conversationId: number): void {
  const conversation = store.get(store.db.selectFrom('conversations').select('client_id').where('id', '=', conversationId));
  store.run(
    store.db
      .updateTable('documents')
      .set((eb) => ({ conversation_id: conversationId, client_id: eb.fn.coalesce('client_id', eb.val(conversation?.client_id ?? null)) }))
      .where('id', '=', documentId),
  );
}

export function messageSeen(store: Store, waId: string): boolean {
  return store.get(store.db.selectFrom('conversation_messages').select('id').where('wa_id', '=', waId)) !== undefined;
}

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

/** Next reference of the office's current year: 2026-0001, 2026-0002, … (more digits after 9999). */
export function nextReference(store: Store, now: Date, timeZone: string): string {
  const year = localTime(now, timeZone).year;
  const row = store.get(
    store.db
      .insertInto('matter_counters')
      .values({ year, last: 1 })
      .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({ last: eb('matter_counters.last', '+', 1) })))
      .returning('last'),
  )!;
  return `${year}-${String(row.last).padStart(4, '0')}`;
}

export interface HistoryEntry {
  matterId: number;
  at: string;
  actor: { type: 'bot' | 'system' } | ({ type: 'user' } & Staff);
  action: string;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
}

export function addHistory(store: Store, h: HistoryEntry): void {
  const row: Insertable<MatterHistoryTable> = {
    matter_id: h.matterId,
    at: h.at,
    actor_type: h.actor.type,
    actor_id: h.actor.type === 'user' ? h.actor.id : null,
    actor_name: h.actor.type === 'user' ? h.actor.name : null,
    action: h.action,
    field: h.field ?? null,
    old_value: h.oldValue ?? null,
    new_value: h.newValue ?? null,
  };
  store.run(store.db.insertInto('matter_history').values(row));
}

export interface CreatedIntake {
  matterId: number;
  clientId: number;
  reference: string;
  hits: ConflictHit[];
}

/**
 * A confirmed intake: the client (by WhatsApp number), the matter with its
 * reference and status "intake", the consent linked, the conflict check run and
 * its hits stored, the history started and the intake PDF queued.
 */
export function createIntake(
  store: Store,
  input: {
    conversationId: number;
    chatId: string;
    whatsapp: string;
    pushName: string | null;
    intake: CompleteIntake;
    consentVersion: string | null;
    now: Date;
    timeZone: string;
    sendPdf: boolean;
  },
): CreatedIntake {
  const at = input.now.toISOString();
  const { intake } = input;
  const client = store.get(
    store.db
      .insertInto('clients')
      .values({
        whatsapp: input.whatsapp,
        name: intake.name,
        name_key: nameKey(intake.name),
        push_name: input.pushName,
        language: intake.language,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) =>
        oc.column('whatsapp').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          language: eb.ref('excluded.language'),
          name_key: eb.ref('excluded.name_key'),
          push_name: eb.fn.coalesce('excluded.push_name', 'clients.push_name'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .returning('id'),
  )!;

  // consents given before the client existed now belong to it
  store.run(
    store.db.updateTable('consents').set({ client_id: client.id }).where('whatsapp', '=', input.whatsapp).where('client_id', 'is', null),
  );
  store.run(store.db.updateTable('conversations').set({ client_id: client.id }).where('id', '=', input.conversationId));
  const consent = store.get(
    store.db
      .selectFrom('consents')
      .select('id')
      .where('whatsapp', '=', input.whatsapp)
      .orderBy((eb) => eb('notice_version', '=', input.consentVersion ?? ''), 'desc')
      .orderBy('id', 'desc')
      .limit(1),
  );

  const reference = nextReference(store, input.now, input.timeZone);
  const matter = store.get(
    store.db
      .insertInto('matters')
      .values({
        reference,
        client_id: client.id,
        conversation_id: input.conversationId,
        practice_area: intake.area,
        description: intake.description,
        opposing_party: intake.opposing,
        opposing_key: intake.opposing ? nameKey(intake.opposing) : null,
        deadline: intake.deadline,
        deadline_date: intake.deadlineDate,
        language: intake.language,
        status: 'intake',
        next_step: null,
        conflict_state: 'none',
        consent_id: consent?.id ?? null,
        created_at: at,
        updated_at: at,
      })
      .returning('id'),
  )!;

  addHistory(store, { matterId: matter.id, at, actor: { type: 'bot' }, action: 'created', newValue: `intake ${reference}` });

  const hits = findConflicts(store, {
    clientId: client.id,
    clientName: intake.name,
    opposingParty: intake.opposing,
    matterId: matter.id,
  });
  if (hits.length > 0) {
    store.run(
      store.db.insertInto('conflict_hits').values(
        hits.map((hit) => ({
          matter_id: matter.id,
          direction: hit.direction,
          checked_name: hit.checkedName,
          matched_name: hit.matchedName,
          matched_client_id: hit.matchedClientId,
          matched_matter_id: hit.matchedMatterId,
          matched_party_id: hit.matchedPartyId ?? null,
          matched_role: hit.matchedRole ?? null,
          matched_reference: hit.matchedReference ?? null,
          score: hit.score,
          created_at: at,
        })),
      ),
    );
    store.run(store.db.updateTable('matters').set({ conflict_state: 'possible' }).where('id', '=', matter.id));
    addHistory(store, {
      matterId: matter.id,
      at,
      actor: { type: 'bot' },
      action: 'conflict_check',
      newValue: `${hits.length} possible conflict${hits.length === 1 ? '' : 's'}`,
    });
  } else {
    addHistory(store, { matterId: matter.id, at, actor: { type: 'bot' }, action: 'conflict_check', newValue: 'no conflicts found' });
  }

  queuePdf(store, { matterId: matter.id, sendToChat: input.sendPdf ? input.chatId : null, now: at });
  return { matterId: matter.id, clientId: client.id, reference, hits };
}

export function queuePdf(store: Store, input: { matterId: number; sendToChat: string | null; now: string }): number {
  const result = store.run(
    store.db
      .insertInto('pdf_jobs')
      .values({ matter_id: input.matterId, send_to_chat: input.sendToChat, status: 'pending', created_at: input.now }),
  );
  return Number(result.lastInsertRowid);
}

export function recordDataRequest(
  store: Store,
  input: { conversationId: number; whatsapp: string; kind: DataRequestsTable['kind']; text: string; now: string },
): number {
  const request = {
    ...origin(store, input.conversationId, input.whatsapp),
    kind: input.kind,
    text: input.text.slice(0, 500),
    status: 'open' as const,
    created_at: input.now,
  };
  return Number(store.run(store.db.insertInto('data_requests').values(request)).lastInsertRowid);
}

export interface ConversationUpdate {
  id: number;
  state: string;
  mode: ConversationMode;
  handoffReason?: string | null;
  preview: string | null;
  now: string;
  inbound: boolean;
  lastIntakeMatterId?: number | null;
  /** the conversation's language, when this message decided or changed it */
  language?: string;
  /** a resolved conversation the client wrote to again */
  reopened?: boolean;
}

/** After a message in or out: the state, the mode and the inbox's summary columns. */
export function updateConversation(store: Store, u: ConversationUpdate): void {
  const toBot = u.mode === 'bot';
  store.run(
    store.db
      .updateTable('conversations')
      .set((eb) => ({
        state: u.state,
        mode: u.mode,
        last_preview: u.preview,
        last_activity_at: u.now,
        // back with the bot: no hand-off reason, no one waiting, no one assigned
        ...(toBot ? { handoff_reason: null, waiting_since: null, assigned_to_id: null, assigned_to_name: null } : {}),
        ...(!toBot && u.handoffReason != null ? { handoff_reason: u.handoffReason } : {}),
        ...(u.mode === 'waiting' ? { waiting_since: eb.fn.coalesce('waiting_since', eb.val(u.now)) } : {}),
        ...(u.inbound ? { unread: eb('unread', '+', 1), last_inbound_at: u.now } : {}),
        ...(u.lastIntakeMatterId != null ? { last_intake_matter_id: u.lastIntakeMatterId } : {}),
        ...(u.language !== undefined ? { language: u.language } : {}),
        ...(u.reopened ? { closed_at: null, closed_by: null } : {}),
      }))
      .where('id', '=', u.id),
  );
  if (u.language !== undefined) {
    // the client on record speaks it too
    store.run(
      store.db
        .updateTable('clients')
        .set({ language: u.language })
        .where('id', '=', (eb) => eb.selectFrom('conversations').select('client_id').where('id', '=', u.id).where('client_id', 'is not', null)),
    );
  }
}

/**
 * The person declined the privacy notice: the conversation becomes an anonymous
 * "declined consent" entry. Its messages (what they wrote before saying no, the
 * FTS index with them), their WhatsApp profile name and the text of the inbound
 * ledger's rows go now; the WhatsApp number stays, as it is, only so that the bot
 * can deliver its answer and reply if they write again, until retention erases the
 * conversation after the office's declined-consent period (24 hours by default).
 */
export function forgetDeclined(store: Store, input: { conversationId: number; chatId: string; now: string }): void {
  store.run(store.db.deleteFrom('conversation_messages').where('conversation_id', '=', input.conversationId));
  store.run(
    store.db
      .updateTable('conversations')
      .set({ declined_at: input.now, push_name: null, last_preview: DECLINED_PREVIEW })
      .where('id', '=', input.conversationId),
  );
  store.run(store.db.updateTable('whatsapp_inbound').set({ body: '', push_name: null }).where('chat_id', '=', input.chatId));
}

/** What the inbox shows of a conversation whose person declined the privacy notice. */
export const DECLINED_PREVIEW = 'Declined consent: nothing kept';
