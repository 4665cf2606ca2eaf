import type { inboxOperations } from '../../../shared/contract/inbox.js';
import { QUICK_REPLY_VARIABLES } from '../../../shared/contract/inbox.js';
import type { AuditTarget, Handler, HandlerContext } from '../dispatch.js';
import type { CoreServices } from '../services.js';
import { AppError, notFound } from '../errors.js';
import { conversationSummary } from './queries.js';
import { createQuickReply, deleteQuickReply, listQuickReplies, renderQuickReply, updateQuickReply } from './quick-replies.js';
import type { Staff } from './records.js';
import { search } from './search.js';
import { addNote, assign, close, counts, members } from './team.js';

type Ctx = HandlerContext<CoreServices>;

function staffOf(ctx: Ctx): Staff {
  const principal = ctx.requirePrincipal();
  return { id: principal.userId, name: principal.displayName || principal.username };
}

const now = (ctx: Ctx) => ctx.services.clock.now().toISOString();
const conversation = (id: number): AuditTarget => ({ type: 'conversation', id: String(id) });
const quickReply = (id: number): AuditTarget => ({ type: 'quick_reply', id: String(id) });

/** The door's handlers for the team inbox: assignment, closing, notes, presence, counts, search, quick replies. */
export const teamHandlers: { [N in keyof typeof inboxOperations]: Handler<N, CoreServices> } = {
  'inbox.counts': (_input, ctx) => counts(ctx.services.store, ctx.requirePrincipal().userId),

  'inbox.members': (_input, ctx) => members(ctx.services.store),

  'inbox.assign': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, events } = ctx.services;
    ctx.audit.target = conversation(input.conversationId);
    const before = conversationSummary(store, input.conversationId).assignedTo;
    const to = ctx.write(() => {
      const given = assign(store, input, by, now(ctx));
      // the audit record is written with the change, so its details are set before the write ends
      ctx.audit.details = { from: before?.name ?? null, to: given?.name ?? null, ...(input.note ? { note: input.note } : {}) };
      return given;
    });
    const summary = conversationSummary(store, input.conversationId);
    events.emit('inbox.assigned', { conversationId: summary.id, displayName: summary.displayName, to, byName: by.name, note: input.note || null });
    events.emit('inbox.changed', { conversationId: summary.id, reason: 'staff' });
    return summary;
  },

  'inbox.close': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, events } = ctx.services;
    ctx.audit.target = conversation(input.conversationId);
    ctx.write(() => close(store, input.conversationId, by, now(ctx)));
    ctx.services.bot.presence.forgetConversation(input.conversationId);
    events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'staff' });
    return conversationSummary(store, input.conversationId);
  },

  'inbox.addNote': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, events } = ctx.services;
    ctx.audit.target = conversation(input.conversationId);
    const { noteId, mentioned } = ctx.write(() => {
      const added = addNote(store, input, by, now(ctx));
      ctx.audit.details = { noteId: added.noteId, mentioned: added.mentioned.map((m) => m.name) };
      return added;
    });
    const summary = conversationSummary(store, input.conversationId);
    for (const member of mentioned) {
      events.emit('inbox.mention', {
        conversationId: summary.id,
        displayName: summary.displayName,
        byName: by.name,
        text: input.text.slice(0, 200),
        forUserId: member.id,
      });
    }
    events.emit('inbox.changed', { conversationId: summary.id, reason: 'staff' });
    return { noteId, mentioned: mentioned.map((m) => m.name) };
  },

  'inbox.presence': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, events, bot } = ctx.services;
    conversationSummary(store, input.conversationId); // a clear "does not exist"
    if (bot.presence.set(input.conversationId, by.id, by.name, input.typing)) {
      events.emit('inbox.presence', { conversationId: input.conversationId, userId: by.id, name: by.name, typing: input.typing });
    }
    return { others: bot.presence.others(input.conversationId, by.id) };
  },

  'inbox.retry': (input, ctx) => {
    const { store, whatsapp, events } = ctx.services;
    ctx.audit.target = conversation(input.conversationId);
    ctx.audit.details = { messageId: input.messageId };
    const row = store.get(
      store.db
        .selectFrom('conversation_messages')
        .select('outbox_id')
        .where('id', '=', input.messageId)
        .where('conversation_id', '=', input.conversationId)
        .where('direction', '=', 'out'),
    );
    if (!row?.outbox_id) throw notFound('That message is not one the office sent in this conversation.');
    const outboxId = row.outbox_id;
    const status = store.get(store.db.selectFrom('whatsapp_outbox').select('status').where('id', '=', outboxId))?.status;
    if (status !== 'failed') throw new AppError('conflict', 'That message was not refused, so there is nothing to send again.');
    ctx.write(() => whatsapp.outbox.retry(outboxId));
    events.emit('inbox.changed', { conversationId: input.conversationId, reason: 'delivery' });
    return { messageId: input.messageId };
  },

  'inbox.search': (input, ctx) => search(ctx.services.store, input, ctx.requirePrincipal().role),

  'quickReplies.list': (_input, ctx) => ({ items: listQuickReplies(ctx.services.store), variables: [...QUICK_REPLY_VARIABLES] }),

  'quickReplies.create': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, bot } = ctx.services;
    ctx.audit.details = { title: input.title };
    return ctx.write(() => {
      const created = createQuickReply(store, bot.settings, input, by, now(ctx));
      ctx.audit.target = quickReply(created.id);
      return created;
    });
  },

  'quickReplies.update': (input, ctx) => {
    const by = staffOf(ctx);
    const { store, bot } = ctx.services;
    ctx.audit.target = quickReply(input.id);
    ctx.audit.details = { title: input.title };
    return ctx.write(() => updateQuickReply(store, bot.settings, input, by, now(ctx)));
  },

  'quickReplies.delete': (input, ctx) => {
    ctx.audit.target = quickReply(input.id);
    ctx.write(() => deleteQuickReply(ctx.services.store, input.id));
    return { id: input.id };
  },

  'quickReplies.render': (input, ctx) => {
    ctx.audit.target = conversation(input.conversationId);
    ctx.audit.details = { quickReply: input.id };
    return renderQuickReply(ctx.services.store, ctx.services.bot.settings, input, staffOf(ctx));
  },
};
