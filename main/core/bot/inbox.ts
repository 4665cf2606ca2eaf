import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ParsedInputOf } from '../../../shared/contract/index.js';
import type { Store } from '../db/store.js';
import { AppError, invalidInput, notFound } from '../errors.js';
import type { BotOutbox } from './link.js';
import { parseState } from './machine.js';
import { appendMessage, conversationById, preview, type ConversationRow, type MessageInsert, type Staff } from './records.js';
import type { BotSettingsStore } from './settings.js';

/**
 * What staff do in a conversation from the inbox: reply, take it over, hand it
 * back to the bot, mark it read, send a document. Each function joins the
 * caller's transaction (the door's write, with its audit record). Messages go out
 * through the bot's outbox, keyed by the door's request id, so a call that is
 * retried sends each message once.
 */

/** Files staff may upload to send, at most this many bytes (the contract bounds the base64 too). */
const MAX_UPLOAD_BYTES = 700 * 1024;

function mustConversation(store: Store, id: number): ConversationRow {
  const row = conversationById(store, id);
  if (!row) throw notFound('That conversation does not exist.');
  return row;
}

/** A message from this staff member in the conversation's thread. */
function appendStaffMessage(
  store: Store,
  conversation: ConversationRow,
  staff: Staff,
  message: Pick<MessageInsert, 'text' | 'fileName' | 'documentId' | 'outboxId' | 'at'>,
): number {
  return appendMessage(store, {
    conversationId: conversation.id,
    direction: 'out',
    author: 'staff',
    authorId: staff.id,
    authorName: staff.name,
    ...message,
  });
}

/**
 * A staff reply, signed "— name, office" when the office wants it. The bot goes
 * quiet: the conversation is with staff, assigned to this member unless someone
 * already has it. Returns the message's id.
 */
export function reply(
  store: Store,
  outbox: BotOutbox,
  settings: BotSettingsStore,
  input: { conversationId: number; text: string; staff: Staff; at: string; requestId: string },
): number {
  const { staff, at } = input;
  const conversation = mustConversation(store, input.conversationId);
  const office = settings.get();
  const text = office.behaviour.signStaffReplies
    ? `${input.text}\n\n${settings.textsFor(conversation.language).t('staff.signature', { staffName: staff.name, office: office.profile.name })}`
    : input.text;
  const outboxId = outbox.enqueueText({ chatId: conversation.chat_id, text, dedupeKey: `staff:${input.requestId}` });
  const messageId = appendStaffMessage(store, conversation, staff, { text, outboxId, at });
  store.run(
    store.db
      .updateTable('conversations')
      .set((eb) => ({
        mode: 'staff',
        assigned_to_id: eb.fn.coalesce('assigned_to_id', eb.val(staff.id)),
        assigned_to_name: eb.fn.coalesce('assigned_to_name', eb.val(staff.name)),
        handoff_reason: eb.fn.coalesce('handoff_reason', eb.val('staff')),
        waiting_since: null,
        unread: 0,
        last_preview: preview(input.text),
        last_activity_at: at,
      }))
      .where('id', '=', conversation.id),
  );
  return messageId;
}

/** This staff member takes the conversation: the bot stays silent until it is handed back. */
export function takeOver(store: Store, conversationId: number, staff: Staff): void {
  mustConversation(store, conversationId);
  store.run(
    store.db
      .updateTable('conversations')
      .set((eb) => ({
        mode: 'staff',
        assigned_to_id: staff.id,
        assigned_to_name: staff.name,
        handoff_reason: eb.fn.coalesce('handoff_reason', eb.val('staff')),
        waiting_since: null,
      }))
      .where('id', '=', conversationId),
  );
}

/**
 * The bot has the conversation again, starting from its menu; with `notify`, the
 * client is told so (and shown the menu).
 */
export function handBack(
  store: Store,
  bot: { settings: BotSettingsStore; outbox(): BotOutbox },
  input: { conversationId: number; notify: boolean; at: string; requestId: string },
): void {
  const { at } = input;
  const conversation = mustConversation(store, input.conversationId);
  if (conversation.mode === 'bot') throw new AppError('conflict', 'The bot already has this conversation.');
  const state = { ...parseState(conversation.state), step: { at: 'menu' as const }, draft: {}, misunderstood: 0 };
  store.run(
    store.db
      .updateTable('conversations')
      .set({
        mode: 'bot',
        assigned_to_id: null,
        assigned_to_name: null,
        handoff_reason: null,
        waiting_since: null,
        state: JSON.stringify(state),
        last_activity_at: at,
      })
      .where('id', '=', conversation.id),
  );
  if (input.notify) {
    const texts = bot.settings.textsFor(conversation.language);
    const text = `${texts.t('handback')}\n\n${texts.t('menu')}`;
    const outboxId = bot.outbox().enqueueText({ chatId: conversation.chat_id, text, dedupeKey: `handback:${input.requestId}` });
    appendMessage(store, { conversationId: conversation.id, direction: 'out', author: 'bot', text, outboxId, at });
  }
}

export function markRead(store: Store, conversationId: number): void {
  mustConversation(store, conversationId);
  store.run(store.db.updateTable('conversations').set({ unread: 0 }).where('id', '=', conversationId));
}

/**
 * A document goes only to the client it belongs to: a matter's document to that
 * matter's client, a file that belongs to no matter (an upload) only back to the
 * conversation it was sent in.
 */
export function mayReceive(
  conversation: Pick<ConversationRow, 'id' | 'client_id'>,
  document: { client_id: number | null; conversation_id: number | null },
): boolean {
  if (document.client_id !== null) return document.client_id === conversation.client_id;
  return document.conversation_id === conversation.id;
}

type DocumentToSend = { id: number; file_name: string; mimetype: string };

/** One of the stored documents, refused unless it belongs to the conversation's client (`mayReceive`). */
function storedDocumentFor(store: Store, conversation: ConversationRow, documentId: number): DocumentToSend {
  const found = store.get(
    store.db
      .selectFrom('documents as d')
      .leftJoin('matters as m', 'm.id', 'd.matter_id')
      .select(['d.id', 'd.file_name', 'd.declared_type', 'd.detected_type', 'd.conversation_id'])
      .select((eb) => eb.fn.coalesce('m.client_id', 'd.client_id').as('client_id'))
      .where('d.id', '=', documentId),
  );
  if (!found) throw notFound('That document does not exist.');
  if (!mayReceive(conversation, found)) {
    throw new AppError('forbidden', "That document belongs to another client's file and cannot be sent here.");
  }
  // WhatsApp is told what the bytes are, not what a sender once claimed
  return { id: found.id, file_name: found.file_name, mimetype: found.detected_type ?? found.declared_type };
}

/**
 * Sends the client a stored document of its own (a file staff uploaded for this
 * conversation, the intake PDF, a matter's file), with an optional caption. The conversation stays with whoever has it (a document
 * does not take it from the bot).
 */
export function sendDocument(
  store: Store,
  outbox: BotOutbox,
  input: ParsedInputOf<'inbox.sendDocument'> & { staff: Staff; at: string; requestId: string },
): { messageId: number; documentId: number; fileName: string } {
  const { staff, at } = input;
  const conversation = mustConversation(store, input.conversationId);
  const doc = storedDocumentFor(store, conversation, input.documentId);
  const outboxId = outbox.enqueueDocument({
    chatId: conversation.chat_id,
    documentId: doc.id,
    fileName: doc.file_name,
    mimetype: doc.mimetype,
    caption: input.caption,
    dedupeKey: `staff-doc:${input.requestId}`,
  });
  const messageId = appendStaffMessage(store, conversation, staff, {
    text: input.caption ?? '',
    fileName: doc.file_name,
    documentId: doc.id,
    outboxId,
    at,
  });
  store.run(
    store.db
      .updateTable('conversations')
      .set((eb) => ({
        mode: eb.case().when('mode', '=', 'bot').then(eb.ref('mode')).else('staff' as const).end(),
        last_preview: `Document: ${doc.file_name}`,
        last_activity_at: at,
      }))
      .where('id', '=', conversation.id),
  );
  return { messageId, documentId: doc.id, fileName: doc.file_name };
}

/**
 * Staff change the language the bot speaks with this client (the client can too,
 * by writing "idioma", "language", EN, PT or ES). The client on record follows.
 * Returns the language it was before.
 */
export function setLanguage(store: Store, settings: BotSettingsStore, input: ParsedInputOf<'inbox.setLanguage'>): string | null {
  const conversation = mustConversation(store, input.conversationId);
  const offered = settings.offered();
  if (!offered.includes(input.language)) {
    throw invalidInput(
      `The office does not offer ${input.language} to clients. Choose one of: ${offered.map((code) => settings.languageName(code)).join(', ')}.`,
      { issues: [{ path: 'language', message: 'not offered' }] },
    );
  }
  store.run(store.db.updateTable('conversations').set({ language: input.language }).where('id', '=', conversation.id));
  if (conversation.client_id !== null) {
    store.run(store.db.updateTable('clients').set({ language: input.language }).where('id', '=', conversation.client_id));
  }
  return conversation.language;
}
