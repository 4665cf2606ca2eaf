import type { ConversationMode, MatterStatus } from '../../../shared/bot.js';
import type { ConversationsTable } from '../db/tables.js';
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

export type ConversationRow = Omit<ConversationsTable, 'id' | 'unread'> & { id: number; unread: number };

export function conversationByChat(store: Store, chatId: string): ConversationRow | undefined {
  return store.prepare('SELECT * FROM conversations WHERE chat_id = ?').get(chatId) as ConversationRow | undefined;
}

export function conversationById(store: Store, id: number): ConversationRow | undefined {
  return store.prepare('SELECT * FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
}

/** The conversation of a chat, created (with the bot in charge) on the first message. */
export function ensureConversation(
  store: Store,
  input: { chatId: string; whatsapp: string; pushName: string | null; state: string; now: string },
): number {
  const existing = store.prepare('SELECT id FROM conversations WHERE chat_id = ?').get(input.chatId) as { id: number } | undefined;
  if (existing) return existing.id;
  const client = clientByWhatsapp(store, input.whatsapp);
  const result = store
    .prepare(
      `INSERT INTO conversations (chat_id, whatsapp, push_name, client_id, mode, state, last_activity_at, created_at)
       VALUES (?, ?, ?, ?, 'bot', ?, ?, ?)`,
    )
    .run(input.chatId, input.whatsapp, input.pushName, client?.id ?? null, input.state, input.now, input.now);
  return Number(result.lastInsertRowid);
}

export function clientByWhatsapp(store: Store, whatsapp: string): { id: number; name: string } | undefined {
  return store.prepare('SELECT id, name FROM clients WHERE whatsapp = ?').get(whatsapp) as { id: number; name: string } | undefined;
}

/** This number's matters for the status answer: its own, and only its own. */
export function mattersForStatus(store: Store, clientId: number): MatterForStatus[] {
  return (
    store
      .prepare(
        `SELECT reference, practice_area AS area, status, next_step AS nextStep FROM matters
         WHERE client_id = ? AND status NOT IN ('declined') ORDER BY id DESC LIMIT 10`,
      )
      .all(clientId) as MatterForStatus[]
  ).map((m) => ({ ...m, status: m.status as MatterStatus }));
}

export function hasConsented(store: Store, whatsapp: string, version: string): boolean {
  return store.prepare('SELECT 1 FROM consents WHERE whatsapp = ? AND notice_version = ? LIMIT 1').get(whatsapp, version) !== undefined;
}

export function recordConsent(store: Store, input: { conversationId: number; whatsapp: string; version: string; now: string }): number {
  const client = clientByWhatsapp(store, input.whatsapp);
  const result = store
    .prepare('INSERT INTO consents (conversation_id, whatsapp, client_id, notice_version, at) VALUES (?, ?, ?, ?, ?)')
    .run(input.conversationId, input.whatsapp, client?.id ?? null, input.version, input.now);
  return Number(result.lastInsertRowid);
}

export interface MessageInsert {
  conversationId: number;
  direction: 'in' | 'out';
  author: 'client' | 'bot' | 'staff';
  authorId?: string | null;
  authorName?: string | null;
  text: string;
  fileName?: string | null;
  documentId?: number | null;
  waId?: string | null;
  outboxId?: number | null;
  at: string;
}

export function appendMessage(store: Store, m: MessageInsert): number {
  const result = store
    .prepare(
      `INSERT INTO conversation_messages (conversation_id, direction, author, author_id, author_name, text, file_name, document_id, wa_id, outbox_id, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      m.conversationId,
      m.direction,
      m.author,
      m.authorId ?? null,
      m.authorName ?? null,
      m.text,
      m.fileName ?? null,
      m.documentId ?? null,
      m.waId ?? null,
      m.outboxId ?? null,
      m.at,
    );
  return Number(result.lastInsertRowid);
}

export function messageSeen(store: Store, waId: string): boolean {
  return store.prepare('SELECT 1 FROM conversation_messages WHERE wa_id = ?').get(waId) !== undefined;
}

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 139)}…` : flat;
}

/** Next reference of the office's current year: 2026-0001, 2026-0002, … (more digits after 9999). */
export function nextReference(store: Store, now: Date, timeZone: string): string {
  const year = localTime(now, timeZone).year;
  const row = store
    .prepare(
      `INSERT INTO matter_counters (year, last) VALUES (?, 1)
       ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`,
    )
    .get(year) as { last: number };
  return `${year}-${String(row.last).padStart(4, '0')}`;
}

export interface HistoryEntry {
  matterId: number;
  at: string;
  actor: { type: 'bot' | 'system' } | { type: 'user'; id: string; name: string };
  action: string;
  field?: string;
  oldValue?: string | null;
  newValue?: string | null;
}

export function addHistory(store: Store, h: HistoryEntry): void {
  store
    .prepare(
      `INSERT INTO matter_history (matter_id, at, actor_type, actor_id, actor_name, action, field, old_value, new_value)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      h.matterId,
      h.at,
      h.actor.type,
      h.actor.type === 'user' ? h.actor.id : null,
      h.actor.type === 'user' ? h.actor.name : null,
      h.action,
      h.field ?? null,
      h.oldValue ?? null,
      h.newValue ?? null,
    );
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
  const client = store
    .prepare(
      `INSERT INTO clients (whatsapp, name, name_key, push_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (whatsapp) DO UPDATE SET name = excluded.name, name_key = excluded.name_key,
         push_name = COALESCE(excluded.push_name, push_name), updated_at = excluded.updated_at
       RETURNING id`,
    )
    .get(input.whatsapp, intake.name, nameKey(intake.name), input.pushName, at, at) as { id: number };

  // consents given before the client existed now belong to it
  store.prepare('UPDATE consents SET client_id = ? WHERE whatsapp = ? AND client_id IS NULL').run(client.id, input.whatsapp);
  store.prepare('UPDATE conversations SET client_id = ? WHERE id = ?').run(client.id, input.conversationId);
  const consent = store
    .prepare('SELECT id FROM consents WHERE whatsapp = ? ORDER BY (notice_version = ?) DESC, id DESC LIMIT 1')
    .get(input.whatsapp, input.consentVersion ?? '') as { id: number } | undefined;

  const reference = nextReference(store, input.now, input.timeZone);
  const matter = store
    .prepare(
      `INSERT INTO matters (reference, client_id, conversation_id, practice_area, description, opposing_party, opposing_key,
         deadline, status, next_step, conflict_state, consent_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'intake', NULL, 'none', ?, ?, ?) RETURNING id`,
    )
    .get(
      reference,
      client.id,
      input.conversationId,
      intake.area,
      intake.description,
      intake.opposing,
      intake.opposing ? nameKey(intake.opposing) : null,
      intake.deadline,
      consent?.id ?? null,
      at,
      at,
    ) as { id: number };

  addHistory(store, { matterId: matter.id, at, actor: { type: 'bot' }, action: 'created', newValue: `intake ${reference}` });

  const hits = findConflicts(store, {
    clientId: client.id,
    clientName: intake.name,
    opposingParty: intake.opposing,
    matterId: matter.id,
  });
  const insertHit = store.prepare(
    `INSERT INTO conflict_hits (matter_id, direction, checked_name, matched_name, matched_client_id, matched_matter_id, score, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const hit of hits) {
    insertHit.run(matter.id, hit.direction, hit.checkedName, hit.matchedName, hit.matchedClientId, hit.matchedMatterId, hit.score, at);
  }
  if (hits.length > 0) {
    store.prepare("UPDATE matters SET conflict_state = 'possible' WHERE id = ?").run(matter.id);
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
  const result = store
    .prepare("INSERT INTO pdf_jobs (matter_id, send_to_chat, status, created_at) VALUES (?, ?, 'pending', ?)")
    .run(input.matterId, input.sendToChat, input.now);
  return Number(result.lastInsertRowid);
}

export function recordDataRequest(
  store: Store,
  input: { conversationId: number; whatsapp: string; kind: 'stop' | 'erase'; text: string; now: string },
): number {
  const client = clientByWhatsapp(store, input.whatsapp);
  const result = store
    .prepare(
      `INSERT INTO data_requests (conversation_id, whatsapp, client_id, kind, text, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'open', ?)`,
    )
    .run(input.conversationId, input.whatsapp, client?.id ?? null, input.kind, input.text.slice(0, 500), input.now);
  return Number(result.lastInsertRowid);
}

export interface ConversationUpdate {
  id: number;
  state: string;
  mode: ConversationMode;
  handoffReason?: string | null;
  preview: string;
  now: string;
  inbound: boolean;
  lastIntakeMatterId?: number | null;
}

/** After a message in or out: the state, the mode and the inbox's summary columns. */
export function updateConversation(store: Store, u: ConversationUpdate): void {
  store
    .prepare(
      `UPDATE conversations SET
         state = ?,
         mode = ?,
         handoff_reason = CASE WHEN ? = 'bot' THEN NULL ELSE COALESCE(?, handoff_reason) END,
         waiting_since = CASE WHEN ? = 'waiting' THEN COALESCE(waiting_since, ?) WHEN ? = 'bot' THEN NULL ELSE waiting_since END,
         assigned_to_id = CASE WHEN ? = 'bot' THEN NULL ELSE assigned_to_id END,
         assigned_to_name = CASE WHEN ? = 'bot' THEN NULL ELSE assigned_to_name END,
         unread = unread + ?,
         last_preview = ?,
         last_activity_at = ?,
         last_inbound_at = CASE WHEN ? THEN ? ELSE last_inbound_at END,
         last_intake_matter_id = COALESCE(?, last_intake_matter_id)
       WHERE id = ?`,
    )
    .run(
      u.state,
      u.mode,
      u.mode,
      u.handoffReason ?? null,
      u.mode,
      u.now,
      u.mode,
      u.mode,
      u.mode,
      u.inbound ? 1 : 0,
      u.preview,
      u.now,
      u.inbound ? 1 : 0,
      u.now,
      u.lastIntakeMatterId ?? null,
      u.id,
    );
}
