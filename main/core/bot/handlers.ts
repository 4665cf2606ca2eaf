import { createHash } from 'node:crypto';
import type { ConversationSummary, MatterDetail, ThreadMessage } from '../../../shared/contract/bot.js';
import type { MatterStatus, SettingsSection } from '../../../shared/bot.js';
import type { OperationName } from '../../../shared/contract/index.js';
import type { Handler, HandlerContext, Principal } from '../dispatch.js';
import type { Store } from '../db/store.js';
import { AppError, invalidInput, notFound } from '../errors.js';
import type { CoreServices } from '../services.js';
import { BUILT_IN_LANGUAGES, catalogKeys, unknownKeys } from './catalog/texts.js';
import { parseState } from './machine.js';
import { foldName } from './names.js';
import { addHistory, appendMessage, conversationById, preview, queuePdf, type ConversationRow } from './records.js';

type BotOperationName = Extract<
  OperationName,
  | `inbox.${string}`
  | `documents.${string}`
  | `clients.${string}`
  | `matters.${string}`
  | `conflicts.${string}`
  | `dataRequests.${string}`
  | `botSettings.${string}`
>;
type Ctx = HandlerContext<CoreServices>;

const SUMMARY_SQL = `SELECT c.*, cl.name AS client_name, m.reference AS intake_reference
  FROM conversations c LEFT JOIN clients cl ON cl.id = c.client_id LEFT JOIN matters m ON m.id = c.last_intake_matter_id`;

type SummaryRow = ConversationRow & { client_name: string | null; intake_reference: string | null };

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    id: row.id,
    whatsapp: row.whatsapp,
    displayName: row.client_name ?? row.push_name ?? `+${row.whatsapp}`,
    clientId: row.client_id,
    mode: row.mode,
    assignedTo: row.assigned_to_id ? { id: row.assigned_to_id, name: row.assigned_to_name ?? row.assigned_to_id } : null,
    unread: row.unread,
    lastPreview: row.last_preview,
    lastActivityAt: row.last_activity_at,
    waitingSince: row.waiting_since,
    handoffReason: row.handoff_reason,
    lastIntake:
      row.last_intake_matter_id && row.intake_reference
        ? { matterId: row.last_intake_matter_id, reference: row.intake_reference }
        : null,
  };
}

function summaryById(store: Store, id: number): ConversationSummary {
  const row = store.prepare(`${SUMMARY_SQL} WHERE c.id = ?`).get(id) as SummaryRow | undefined;
  if (!row) throw notFound('That conversation does not exist.');
  return toSummary(row);
}

function mustConversation(store: Store, id: number): ConversationRow {
  const row = conversationById(store, id);
  if (!row) throw notFound('That conversation does not exist.');
  return row;
}

function staffName(p: Principal): string {
  return p.displayName || p.username;
}

function like(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/* ------------------------------------------------------------------ matters */

interface MatterRow {
  id: number;
  reference: string;
  client_id: number;
  client_name: string;
  whatsapp: string;
  practice_area: string;
  status: MatterStatus;
  next_step: string | null;
  conflict_state: 'none' | 'possible' | 'cleared';
  open_conflicts: number;
  created_at: string;
  updated_at: string;
  description: string;
  opposing_party: string | null;
  deadline: string | null;
  conversation_id: number | null;
  consent_version: string | null;
  consent_at: string | null;
}

const MATTER_SQL = `SELECT m.*, c.name AS client_name, c.whatsapp,
    (SELECT COUNT(*) FROM conflict_hits h WHERE h.matter_id = m.id AND h.cleared_at IS NULL) AS open_conflicts,
    k.notice_version AS consent_version, k.at AS consent_at
  FROM matters m JOIN clients c ON c.id = m.client_id LEFT JOIN consents k ON k.id = m.consent_id`;

function matterSummary(row: MatterRow) {
  return {
    id: row.id,
    reference: row.reference,
    clientId: row.client_id,
    clientName: row.client_name,
    whatsapp: row.whatsapp,
    area: row.practice_area,
    status: row.status,
    nextStep: row.next_step,
    conflictState: row.conflict_state,
    openConflicts: row.open_conflicts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function matterDetail(store: Store, id: number): MatterDetail {
  const row = store.prepare(`${MATTER_SQL} WHERE m.id = ?`).get(id) as MatterRow | undefined;
  if (!row) throw notFound('That matter does not exist.');
  const notes = store
    .prepare('SELECT id, author_name AS authorName, text, at FROM matter_notes WHERE matter_id = ? ORDER BY id DESC')
    .all(id) as { id: number; authorName: string; text: string; at: string }[];
  const hits = store
    .prepare(
      `SELECT h.*, c.name AS client_name, m.reference AS matter_reference FROM conflict_hits h
       LEFT JOIN clients c ON c.id = h.matched_client_id LEFT JOIN matters m ON m.id = h.matched_matter_id
       WHERE h.matter_id = ? ORDER BY h.cleared_at IS NOT NULL, h.score DESC, h.id`,
    )
    .all(id) as {
    id: number;
    direction: 'opposing_is_client' | 'client_is_opposing';
    checked_name: string;
    matched_name: string;
    matched_client_id: number | null;
    client_name: string | null;
    matched_matter_id: number | null;
    matter_reference: string | null;
    score: number;
    created_at: string;
    cleared_at: string | null;
    cleared_by_name: string | null;
    cleared_note: string | null;
  }[];
  const documents = store
    .prepare(
      `SELECT id, kind, file_name AS fileName, mimetype, size, created_at AS createdAt, created_by AS createdBy
       FROM matter_documents WHERE matter_id = ? ORDER BY id DESC`,
    )
    .all(id) as MatterDetail['documents'];
  const history = store
    .prepare(
      `SELECT id, at, actor_type, actor_name, action, field, old_value AS oldValue, new_value AS newValue
       FROM matter_history WHERE matter_id = ? ORDER BY id DESC LIMIT 200`,
    )
    .all(id) as {
    id: number;
    at: string;
    actor_type: string;
    actor_name: string | null;
    action: string;
    field: string | null;
    oldValue: string | null;
    newValue: string | null;
  }[];
  return {
    ...matterSummary(row),
    description: row.description,
    opposingParty: row.opposing_party,
    deadline: row.deadline,
    conversationId: row.conversation_id,
    consent: row.consent_version && row.consent_at ? { version: row.consent_version, at: row.consent_at } : null,
    notes,
    conflicts: hits.map((h) => ({
      id: h.id,
      direction: h.direction,
      checkedName: h.checked_name,
      matchedName: h.matched_name,
      matchedClient: h.matched_client_id && h.client_name ? { id: h.matched_client_id, name: h.client_name } : null,
      matchedMatter: h.matched_matter_id && h.matter_reference ? { id: h.matched_matter_id, reference: h.matter_reference } : null,
      score: Math.round(h.score * 100) / 100,
      createdAt: h.created_at,
      cleared: h.cleared_at ? { at: h.cleared_at, byName: h.cleared_by_name ?? '?', note: h.cleared_note } : null,
    })),
    documents,
    history: history.map((h) => ({
      id: h.id,
      at: h.at,
      actor: h.actor_type === 'bot' ? 'LexDesk bot' : (h.actor_name ?? h.actor_type),
      action: h.action,
      field: h.field,
      oldValue: h.oldValue,
      newValue: h.newValue,
    })),
  };
}

function userActor(p: Principal) {
  return { type: 'user' as const, id: p.userId, name: staffName(p) };
}

function chatOfClient(store: Store, clientId: number): string {
  const row = store
    .prepare(
      `SELECT cv.chat_id FROM clients c LEFT JOIN conversations cv ON cv.whatsapp = c.whatsapp WHERE c.id = ?
       ORDER BY cv.last_activity_at DESC LIMIT 1`,
    )
    .get(clientId) as { chat_id: string | null } | undefined;
  if (!row) throw notFound('That client does not exist.');
  if (row.chat_id) return row.chat_id;
  const client = store.prepare('SELECT whatsapp FROM clients WHERE id = ?').get(clientId) as { whatsapp: string };
  return `${client.whatsapp}@c.us`;
}

/* ---------------------------------------------------------------- handlers */

export const botHandlers: { [N in BotOperationName]: Handler<N, CoreServices> } = {
  'inbox.list': (input, ctx) => {
    const store = ctx.services.store;
    const principal = ctx.requirePrincipal();
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.filter === 'waiting') where.push("c.mode = 'waiting'");
    if (input.filter === 'bot') where.push("c.mode = 'bot'");
    if (input.filter === 'mine') {
      where.push('c.assigned_to_id = ?');
      params.push(principal.userId);
    }
    if (input.filter === 'unread') where.push('c.unread > 0');
    if (input.search) {
      where.push("(c.whatsapp LIKE ? ESCAPE '\\' OR cl.name LIKE ? ESCAPE '\\' OR c.push_name LIKE ? ESCAPE '\\' OR m.reference LIKE ? ESCAPE '\\')");
      const q = like(input.search);
      params.push(q, q, q, q);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const rows = store
      .prepare(`${SUMMARY_SQL}${clause} ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ? OFFSET ?`)
      .all(...params, input.limit, input.offset) as SummaryRow[];
    const total = (
      store
        .prepare(
          `SELECT COUNT(*) AS n FROM conversations c LEFT JOIN clients cl ON cl.id = c.client_id
           LEFT JOIN matters m ON m.id = c.last_intake_matter_id${clause}`,
        )
        .get(...params) as { n: number }
    ).n;
    return { items: rows.map(toSummary), total };
  },

  'inbox.thread': (input, ctx) => {
    const store = ctx.services.store;
    const conversation = summaryById(store, input.conversationId);
    const rows = (
      store
        .prepare(
          `SELECT id, direction, author, author_name, text, file_name, document_id, outbox_id, at FROM conversation_messages
           WHERE conversation_id = ? ORDER BY id DESC LIMIT ?`,
        )
        .all(input.conversationId, input.limit) as {
        id: number;
        direction: 'in' | 'out';
        author: 'client' | 'bot' | 'staff';
        author_name: string | null;
        text: string;
        file_name: string | null;
        document_id: number | null;
        outbox_id: number | null;
        at: string;
      }[]
    ).reverse();
    const outboxIds = rows.filter((r) => r.outbox_id !== null).map((r) => r.outbox_id!);
    const delivery = ctx.services.bot.attached && outboxIds.length ? ctx.services.bot.outbox().delivery(outboxIds) : new Map();
    const messages: ThreadMessage[] = rows.map((r) => {
      const d = r.outbox_id !== null ? delivery.get(r.outbox_id) : undefined;
      return {
        id: r.id,
        direction: r.direction,
        author: r.author,
        authorName: r.author_name,
        text: r.text,
        fileName: r.file_name,
        documentId: r.document_id,
        at: r.at,
        delivery: r.direction === 'in' ? 'received' : (d?.state ?? 'queued'),
        error: d?.error ?? null,
      };
    });
    const intakes = store
      .prepare(
        `SELECT m.id AS matterId, m.reference, m.practice_area AS area, m.status, m.created_at AS createdAt,
           (SELECT d.id FROM matter_documents d WHERE d.matter_id = m.id AND d.kind = 'intake_pdf' ORDER BY d.id DESC LIMIT 1) AS pdfDocumentId
         FROM matters m WHERE m.conversation_id = ? OR (m.client_id IS NOT NULL AND m.client_id = ?) ORDER BY m.id DESC`,
      )
      .all(input.conversationId, conversation.clientId ?? -1) as {
      matterId: number;
      reference: string;
      area: string;
      status: MatterStatus;
      createdAt: string;
      pdfDocumentId: number | null;
    }[];
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    return { conversation, messages, intakes };
  },

  'inbox.reply': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, bot } = ctx.services;
    const outbox = bot.outbox();
    const settings = bot.settings.get();
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    const messageId = ctx.write(() => {
      const conv = mustConversation(store, input.conversationId);
      const text = settings.behaviour.signStaffReplies
        ? `${input.text}\n\n${bot.settings.texts().t('staff.signature', { staffName: staffName(principal), office: settings.profile.name })}`
        : input.text;
      const outboxId = outbox.enqueueText({ chatId: conv.chat_id, text, dedupeKey: `staff:${ctx.requestId}` });
      const id = appendMessage(store, {
        conversationId: conv.id,
        direction: 'out',
        author: 'staff',
        authorId: principal.userId,
        authorName: staffName(principal),
        text,
        outboxId,
        at,
      });
      store
        .prepare(
          `UPDATE conversations SET mode = 'staff', assigned_to_id = COALESCE(assigned_to_id, ?), assigned_to_name = COALESCE(assigned_to_name, ?),
             handoff_reason = COALESCE(handoff_reason, 'staff'), waiting_since = NULL, unread = 0, last_preview = ?, last_activity_at = ?
           WHERE id = ?`,
        )
        .run(principal.userId, staffName(principal), preview(input.text), at, conv.id);
      return id;
    });
    ctx.services.events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'staff' });
    return { messageId };
  },

  'inbox.takeOver': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const store = ctx.services.store;
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    ctx.write(() => {
      mustConversation(store, input.conversationId);
      store
        .prepare(
          `UPDATE conversations SET mode = 'staff', assigned_to_id = ?, assigned_to_name = ?, handoff_reason = COALESCE(handoff_reason, 'staff'),
             waiting_since = NULL WHERE id = ?`,
        )
        .run(principal.userId, staffName(principal), input.conversationId);
    });
    ctx.services.events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'staff' });
    return summaryById(store, input.conversationId);
  },

  'inbox.handBack': (input, ctx) => {
    ctx.requirePrincipal();
    const { store, bot } = ctx.services;
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    ctx.audit.details = { notify: input.notify };
    ctx.write(() => {
      const conv = mustConversation(store, input.conversationId);
      if (conv.mode === 'bot') throw new AppError('conflict', 'The bot already has this conversation.');
      const state = parseState(conv.state);
      const next = { ...state, step: { at: 'menu' as const }, draft: {}, misunderstood: 0 };
      store
        .prepare(
          `UPDATE conversations SET mode = 'bot', assigned_to_id = NULL, assigned_to_name = NULL, handoff_reason = NULL,
             waiting_since = NULL, state = ?, last_activity_at = ? WHERE id = ?`,
        )
        .run(JSON.stringify(next), at, conv.id);
      if (input.notify) {
        const texts = bot.settings.texts();
        const text = `${texts.t('handback')}\n\n${texts.t('menu')}`;
        const outboxId = bot.outbox().enqueueText({ chatId: conv.chat_id, text, dedupeKey: `handback:${ctx.requestId}` });
        appendMessage(store, { conversationId: conv.id, direction: 'out', author: 'bot', text, outboxId, at });
      }
    });
    ctx.services.events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'staff' });
    return summaryById(store, input.conversationId);
  },

  'inbox.markRead': (input, ctx) => {
    const store = ctx.services.store;
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    ctx.write(() => {
      mustConversation(store, input.conversationId);
      store.prepare('UPDATE conversations SET unread = 0 WHERE id = ?').run(input.conversationId);
    });
    return { unread: 0 };
  },

  'inbox.sendDocument': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, bot } = ctx.services;
    const outbox = bot.outbox();
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'conversation', id: String(input.conversationId) };
    const result = ctx.write(() => {
      const conv = mustConversation(store, input.conversationId);
      let doc: { id: number; file_name: string; mimetype: string; data: Buffer };
      if (input.documentId !== undefined) {
        const found = store
          .prepare(
            `SELECT d.id, d.file_name, d.mimetype, d.data, d.conversation_id, m.client_id FROM matter_documents d
             LEFT JOIN matters m ON m.id = d.matter_id WHERE d.id = ?`,
          )
          .get(input.documentId) as
          | { id: number; file_name: string; mimetype: string; data: Buffer; conversation_id: number | null; client_id: number | null }
          | undefined;
        if (!found) throw notFound('That document does not exist.');
        // a document goes only to the client it belongs to
        const belongs =
          (found.client_id !== null && found.client_id === conv.client_id) || (found.client_id === null && found.conversation_id === conv.id);
        if (!belongs) throw new AppError('forbidden', "That document belongs to another client's file and cannot be sent here.");
        doc = found;
      } else {
        const upload = input.upload!;
        const data = Buffer.from(upload.base64, 'base64');
        if (data.length === 0 || data.length > 700 * 1024) throw invalidInput('The file must be between 1 byte and 700 KB.');
        const inserted = store
          .prepare(
            `INSERT INTO matter_documents (matter_id, conversation_id, kind, file_name, mimetype, size, sha256, data, created_at, created_by)
             VALUES (NULL, ?, 'upload', ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          )
          .get(conv.id, upload.fileName, upload.mimetype, data.length, createHash('sha256').update(data).digest('hex'), data, at, staffName(principal)) as {
          id: number;
        };
        doc = { id: inserted.id, file_name: upload.fileName, mimetype: upload.mimetype, data };
      }
      const outboxId = outbox.enqueueDocument({
        chatId: conv.chat_id,
        data: doc.data,
        fileName: doc.file_name,
        mimetype: doc.mimetype,
        caption: input.caption,
        dedupeKey: `staff-doc:${ctx.requestId}`,
      });
      const messageId = appendMessage(store, {
        conversationId: conv.id,
        direction: 'out',
        author: 'staff',
        authorId: principal.userId,
        authorName: staffName(principal),
        text: input.caption ?? '',
        fileName: doc.file_name,
        documentId: doc.id,
        outboxId,
        at,
      });
      store
        .prepare(
          `UPDATE conversations SET mode = CASE WHEN mode = 'bot' THEN mode ELSE 'staff' END, last_preview = ?, last_activity_at = ? WHERE id = ?`,
        )
        .run(`Document: ${doc.file_name}`, at, conv.id);
      ctx.audit.details = { documentId: doc.id, fileName: doc.file_name };
      return { messageId, documentId: doc.id };
    });
    ctx.services.events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'staff' });
    return result;
  },

  'documents.get': (input, ctx) => {
    const row = ctx.services.store
      .prepare('SELECT file_name, mimetype, data, matter_id FROM matter_documents WHERE id = ?')
      .get(input.documentId) as { file_name: string; mimetype: string; data: Buffer; matter_id: number | null } | undefined;
    if (!row) throw notFound('That document does not exist.');
    ctx.audit.target = { type: 'document', id: String(input.documentId) };
    return { fileName: row.file_name, mimetype: row.mimetype, base64: row.data.toString('base64') };
  },

  'clients.list': (input, ctx) => {
    const store = ctx.services.store;
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.search) {
      where.push("(c.name LIKE ? ESCAPE '\\' OR c.whatsapp LIKE ? ESCAPE '\\' OR c.name_key LIKE ? ESCAPE '\\')");
      params.push(like(input.search), like(input.search.replace(/\D/g, '') || input.search), like(foldName(input.search)));
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const items = store
      .prepare(
        `SELECT c.id, c.name, c.whatsapp, c.created_at AS createdAt, (SELECT COUNT(*) FROM matters m WHERE m.client_id = c.id) AS matters
         FROM clients c${clause} ORDER BY c.id DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, input.limit, input.offset) as { id: number; name: string; whatsapp: string; createdAt: string; matters: number }[];
    const total = (store.prepare(`SELECT COUNT(*) AS n FROM clients c${clause}`).get(...params) as { n: number }).n;
    return { items, total };
  },

  'matters.list': (input, ctx) => {
    const store = ctx.services.store;
    const where: string[] = [];
    const params: unknown[] = [];
    if (input.search) {
      const q = like(input.search);
      where.push(
        "(m.reference LIKE ? ESCAPE '\\' OR c.name LIKE ? ESCAPE '\\' OR c.name_key LIKE ? ESCAPE '\\' OR c.whatsapp LIKE ? ESCAPE '\\' OR m.opposing_party LIKE ? ESCAPE '\\')",
      );
      params.push(q, q, like(foldName(input.search)), like(input.search.replace(/\D/g, '') || input.search), q);
    }
    if (input.status) {
      where.push('m.status = ?');
      params.push(input.status);
    }
    if (input.conflicts) where.push("m.conflict_state = 'possible'");
    if (input.clientId) {
      where.push('m.client_id = ?');
      params.push(input.clientId);
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const rows = store
      .prepare(`${MATTER_SQL}${clause} ORDER BY m.updated_at DESC, m.id DESC LIMIT ? OFFSET ?`)
      .all(...params, input.limit, input.offset) as MatterRow[];
    const total = (
      store.prepare(`SELECT COUNT(*) AS n FROM matters m JOIN clients c ON c.id = m.client_id${clause}`).get(...params) as { n: number }
    ).n;
    return { items: rows.map(matterSummary), total };
  },

  'matters.get': (input, ctx) => {
    ctx.audit.target = { type: 'matter', id: String(input.matterId) };
    return matterDetail(ctx.services.store, input.matterId);
  },

  'matters.update': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const store = ctx.services.store;
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'matter', id: String(input.matterId) };
    ctx.write(() => {
      const current = store.prepare('SELECT status, next_step FROM matters WHERE id = ?').get(input.matterId) as
        | { status: MatterStatus; next_step: string | null }
        | undefined;
      if (!current) throw notFound('That matter does not exist.');
      const nextStep = input.nextStep === undefined ? current.next_step : input.nextStep || null;
      const status = input.status ?? current.status;
      if (status !== current.status) {
        addHistory(store, { matterId: input.matterId, at, actor: userActor(principal), action: 'updated', field: 'status', oldValue: current.status, newValue: status });
      }
      if (nextStep !== current.next_step) {
        addHistory(store, { matterId: input.matterId, at, actor: userActor(principal), action: 'updated', field: 'next_step', oldValue: current.next_step, newValue: nextStep });
      }
      store.prepare('UPDATE matters SET status = ?, next_step = ?, updated_at = ? WHERE id = ?').run(status, nextStep, at, input.matterId);
    });
    ctx.services.events.emit('matters.changed', { matterId: input.matterId });
    return matterDetail(store, input.matterId);
  },

  'matters.addNote': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const store = ctx.services.store;
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'matter', id: String(input.matterId) };
    ctx.write(() => {
      if (!store.prepare('SELECT 1 FROM matters WHERE id = ?').get(input.matterId)) throw notFound('That matter does not exist.');
      store
        .prepare('INSERT INTO matter_notes (matter_id, author_id, author_name, text, at) VALUES (?, ?, ?, ?, ?)')
        .run(input.matterId, principal.userId, staffName(principal), input.text, at);
      addHistory(store, { matterId: input.matterId, at, actor: userActor(principal), action: 'note' });
      store.prepare('UPDATE matters SET updated_at = ? WHERE id = ?').run(at, input.matterId);
    });
    ctx.services.events.emit('matters.changed', { matterId: input.matterId });
    return matterDetail(store, input.matterId);
  },

  'matters.regeneratePdf': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const { store, bot } = ctx.services;
    const at = ctx.services.clock.now().toISOString();
    ctx.audit.target = { type: 'matter', id: String(input.matterId) };
    ctx.audit.details = { sendToClient: input.sendToClient };
    if (input.sendToClient) bot.outbox(); // a clear error now, rather than a PDF that waits forever
    ctx.write(() => {
      const matter = store.prepare('SELECT client_id FROM matters WHERE id = ?').get(input.matterId) as { client_id: number } | undefined;
      if (!matter) throw notFound('That matter does not exist.');
      queuePdf(store, { matterId: input.matterId, sendToChat: input.sendToClient ? chatOfClient(store, matter.client_id) : null, now: at });
      addHistory(store, { matterId: input.matterId, at, actor: userActor(principal), action: 'pdf_requested', newValue: input.sendToClient ? 'sent to client' : null });
    });
    bot.pdfs.wake();
    return { queued: true as const };
  },

  'conflicts.clear': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const store = ctx.services.store;
    const at = ctx.services.clock.now().toISOString();
    const matterId = ctx.write(() => {
      const hit = store.prepare('SELECT matter_id, cleared_at, matched_name FROM conflict_hits WHERE id = ?').get(input.hitId) as
        | { matter_id: number; cleared_at: string | null; matched_name: string }
        | undefined;
      if (!hit) throw notFound('That conflict hit does not exist.');
      ctx.audit.target = { type: 'matter', id: String(hit.matter_id) };
      ctx.audit.details = { hitId: input.hitId };
      if (hit.cleared_at) throw new AppError('conflict', 'That possible conflict was already cleared.');
      store
        .prepare('UPDATE conflict_hits SET cleared_at = ?, cleared_by_id = ?, cleared_by_name = ?, cleared_note = ? WHERE id = ?')
        .run(at, principal.userId, staffName(principal), input.note ?? null, input.hitId);
      addHistory(store, {
        matterId: hit.matter_id,
        at,
        actor: userActor(principal),
        action: 'conflict_cleared',
        newValue: input.note ? `${hit.matched_name}: ${input.note}` : hit.matched_name,
      });
      const open = store.prepare('SELECT COUNT(*) AS n FROM conflict_hits WHERE matter_id = ? AND cleared_at IS NULL').get(hit.matter_id) as { n: number };
      store
        .prepare('UPDATE matters SET conflict_state = ?, updated_at = ? WHERE id = ?')
        .run(open.n === 0 ? 'cleared' : 'possible', at, hit.matter_id);
      return hit.matter_id;
    });
    ctx.services.events.emit('matters.changed', { matterId });
    return matterDetail(store, matterId);
  },

  'dataRequests.list': (input, ctx) => {
    const rows = ctx.services.store
      .prepare(
        `SELECT r.id, r.conversation_id AS conversationId, r.whatsapp, c.name AS clientName, r.kind, r.status, r.created_at AS createdAt,
           r.resolved_at AS resolvedAt, r.resolved_by AS resolvedBy, r.resolution
         FROM data_requests r LEFT JOIN clients c ON c.whatsapp = r.whatsapp
         ${input.status === 'all' ? '' : 'WHERE r.status = ?'} ORDER BY r.id DESC LIMIT 500`,
      )
      .all(...(input.status === 'all' ? [] : [input.status])) as {
      id: number;
      conversationId: number;
      whatsapp: string;
      clientName: string | null;
      kind: 'stop' | 'erase';
      status: 'open' | 'done';
      createdAt: string;
      resolvedAt: string | null;
      resolvedBy: string | null;
      resolution: string | null;
    }[];
    return { items: rows };
  },

  'dataRequests.resolve': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const store = ctx.services.store;
    ctx.audit.target = { type: 'data_request', id: String(input.id) };
    ctx.write(() => {
      const row = store.prepare('SELECT status FROM data_requests WHERE id = ?').get(input.id) as { status: string } | undefined;
      if (!row) throw notFound('That request does not exist.');
      if (row.status === 'done') throw new AppError('conflict', 'That request was already resolved.');
      store
        .prepare("UPDATE data_requests SET status = 'done', resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?")
        .run(ctx.services.clock.now().toISOString(), staffName(principal), input.resolution, input.id);
    });
    return { id: input.id, status: 'done' as const };
  },

  'botSettings.get': (_input, ctx) => {
    const bot = ctx.services.bot;
    const settings = bot.settings.get();
    const languages = [
      ...Object.keys(BUILT_IN_LANGUAGES).map((code) => ({ code, name: BUILT_IN_LANGUAGES[code]!['language.name'] ?? code, builtIn: true })),
      ...Object.entries(settings.languages)
        .filter(([code]) => !BUILT_IN_LANGUAGES[code])
        .map(([code, texts]) => ({ code, name: texts['language.name'] ?? code, builtIn: false })),
    ];
    return { settings, notice: bot.settings.privacyNotice(), catalog: catalogKeys(), languages };
  },

  'botSettings.update': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const bot = ctx.services.bot;
    const section: SettingsSection = input.section;
    ctx.audit.target = { type: 'bot_settings', id: section };
    if (input.section === 'texts' || input.section === 'languages') {
      for (const [language, texts] of Object.entries(input.value)) {
        const unknown = unknownKeys(texts);
        if (unknown.length > 0) {
          throw invalidInput(`The ${language} texts name keys LexDesk does not know: ${unknown.slice(0, 5).join(', ')}.`, {
            issues: unknown.map((key) => ({ path: `value.${language}.${key}`, message: 'unknown text key' })),
          });
        }
      }
    }
    if (input.section === 'behaviour') {
      const known = new Set([...Object.keys(BUILT_IN_LANGUAGES), ...Object.keys(bot.settings.get().languages)]);
      if (!known.has(input.value.language)) {
        throw invalidInput(`There is no ${input.value.language} catalog. Add the language first.`, {
          issues: [{ path: 'value.language', message: 'no such language' }],
        });
      }
    }
    if (input.section === 'languages') {
      const current = bot.settings.get().behaviour.language;
      if (!BUILT_IN_LANGUAGES[current] && !input.value[current]) {
        throw invalidInput(`The bot speaks ${current}; choose another language before removing it.`);
      }
    }
    ctx.write(() => {
      bot.settings.set(section, input.value as never, staffName(principal));
    });
    bot.settingsChanged(section);
    return { settings: bot.settings.get() };
  },

  'botSettings.publishNotice': (input, ctx) => {
    const principal = ctx.requirePrincipal();
    const bot = ctx.services.bot;
    const notice = ctx.write(() => bot.settings.publishNotice(input.text, staffName(principal)));
    ctx.audit.target = { type: 'privacy_notice', id: notice.version };
    return notice;
  },
};
