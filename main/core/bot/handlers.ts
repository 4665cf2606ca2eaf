import type { MatterDetail, botOperations } from '../../../shared/contract/bot.js';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';
import type { AuditTarget, Handler, HandlerContext } from '../dispatch.js';
import type { CoreServices } from '../services.js';
import { catalogKeys } from './catalog/texts.js';
import { languageInEnglish } from '../../../shared/bot.js';
import { handBack, markRead, reply, sendDocument, setLanguage, takeOver } from './inbox.js';
import { notesAndAssignments } from './team.js';
import type { BotOutbox } from './link.js';
import { addNote, clearConflict, conflictHit, requestPdf, resolveDataRequest, updateMatter } from './matters.js';
import {
  clientPage,
  conversationPage,
  conversationSummary,
  conversationThread,
  dataRequestList,
  matterDetail,
  matterPage,
} from './queries.js';
import type { Staff } from './records.js';

type Ctx = HandlerContext<CoreServices>;

/** The signed-in staff member, as messages and the matter history name them. */
function staffOf(ctx: Ctx): Staff {
  const principal = ctx.requirePrincipal();
  return { id: principal.userId, name: principal.displayName || principal.username };
}

const now = (ctx: Ctx) => ctx.services.clock.now().toISOString();
const conversation = (id: number): AuditTarget => ({ type: 'conversation', id: String(id) });
const matter = (id: number): AuditTarget => ({ type: 'matter', id: String(id) });
const inboxChanged = (ctx: Ctx, conversationId: number) =>
  ctx.services.events.emit('inbox.changed', { conversationId, reason: 'staff' });
const matterChanged = (ctx: Ctx, matterId: number) => ctx.services.events.emit('matters.changed', { matterId });

/**
 * A staff member sends the client something: WhatsApp must be set up (checked
 * first); the send is written with the audit record; the inbox is told.
 */
function sendAsStaff<T>(ctx: Ctx, conversationId: number, send: (store: Store, outbox: BotOutbox, staff: Staff, at: string) => T): T {
  const staff = staffOf(ctx);
  const outbox = ctx.services.bot.outbox();
  const at = now(ctx);
  ctx.audit.target = conversation(conversationId);
  const sent = ctx.write(() => send(ctx.services.store, outbox, staff, at));
  inboxChanged(ctx, conversationId);
  return sent;
}

/** A staff member's change to a matter: written with the audit record, announced, answered with the matter as it is now. */
function changeMatter(ctx: Ctx, matterId: number, change: (store: Store, staff: Staff, at: string) => void): MatterDetail {
  const staff = staffOf(ctx);
  const store = ctx.services.store;
  const at = now(ctx);
  ctx.audit.target = matter(matterId);
  ctx.write(() => change(store, staff, at));
  matterChanged(ctx, matterId);
  return matterDetail(store, matterId);
}

/**
 * The door's handlers for the bot's staff side. Reads are in queries.ts; what
 * staff do in a conversation is in inbox.ts, to a matter in matters.ts; the
 * settings' rules in settings.ts.
 */
export const botHandlers: { [N in keyof typeof botOperations]: Handler<N, CoreServices> } = {
  'inbox.list': (input, ctx) => conversationPage(ctx.services.store, input, ctx.requirePrincipal().userId),

  'inbox.thread': (input, ctx) => {
    const { store, bot } = ctx.services;
    const thread = conversationThread(store, input, bot.attached ? bot.outbox() : null);
    ctx.audit.target = conversation(input.conversationId);
    const languages = bot.settings.offered().map((code) => ({ code, name: languageInEnglish(code) }));
    const presence = bot.presence.others(input.conversationId, ctx.requirePrincipal().userId);
    return { ...thread, languages, ...notesAndAssignments(store, input.conversationId), presence };
  },

  'inbox.setLanguage': (input, ctx) => {
    const { store, bot } = ctx.services;
    ctx.audit.target = conversation(input.conversationId);
    ctx.write(() => {
      const before = setLanguage(store, bot.settings, input);
      // written with the change: the details are set before the write ends
      ctx.audit.details = { from: before, to: input.language };
    });
    inboxChanged(ctx, input.conversationId);
    return conversationSummary(store, input.conversationId);
  },

  'inbox.reply': (input, ctx) => {
    const me = staffOf(ctx);
    const bot = ctx.services.bot;
    if (!input.confirmed) {
      // a colleague has it, or is writing in it: the sender is asked first
      const summary = conversationSummary(ctx.services.store, input.conversationId);
      const writing = bot.presence.others(input.conversationId, me.id);
      const owner = summary.assignedTo && summary.assignedTo.id !== me.id ? summary.assignedTo : null;
      if (owner || writing.length > 0) {
        const who = owner ? `${owner.name} has this conversation` : `${writing.map((w) => w.name).join(' and ')} ${writing.length === 1 ? 'is' : 'are'} replying`;
        throw new AppError('conflict', `${who}. Send your reply anyway?`, {
          reason: 'someone_else',
          assignedTo: owner,
          writing,
        });
      }
    }
    const messageId = sendAsStaff(ctx, input.conversationId, (store, outbox, staff, at) =>
      reply(store, outbox, bot.settings, { ...input, staff, at, requestId: ctx.requestId }),
    );
    bot.presence.set(input.conversationId, me.id, me.name, false);
    return { messageId };
  },

  'inbox.takeOver': (input, ctx) => {
    const staff = staffOf(ctx);
    const store = ctx.services.store;
    ctx.audit.target = conversation(input.conversationId);
    ctx.write(() => takeOver(store, input.conversationId, staff));
    inboxChanged(ctx, input.conversationId);
    return conversationSummary(store, input.conversationId);
  },

  'inbox.handBack': (input, ctx) => {
    const { store, bot } = ctx.services;
    const at = now(ctx);
    ctx.audit.target = conversation(input.conversationId);
    ctx.audit.details = { notify: input.notify };
    ctx.write(() => handBack(store, bot, { ...input, at, requestId: ctx.requestId }));
    inboxChanged(ctx, input.conversationId);
    return conversationSummary(store, input.conversationId);
  },

  'inbox.markRead': (input, ctx) => {
    ctx.audit.target = conversation(input.conversationId);
    ctx.write(() => markRead(ctx.services.store, input.conversationId));
    return { unread: 0 };
  },

  'inbox.sendDocument': (input, ctx) => {
    const { messageId, documentId } = sendAsStaff(ctx, input.conversationId, (store, outbox, staff, at) => {
      const sent = sendDocument(store, outbox, { ...input, staff, at, requestId: ctx.requestId });
      ctx.audit.details = { documentId: sent.documentId, fileName: sent.fileName };
      return sent;
    });
    return { messageId, documentId };
  },

  'clients.list': (input, ctx) => clientPage(ctx.services.store, input),

  'matters.list': (input, ctx) => matterPage(ctx.services.store, input),

  'matters.get': (input, ctx) => {
    ctx.audit.target = matter(input.matterId);
    return matterDetail(ctx.services.store, input.matterId);
  },

  'matters.update': (input, ctx) => {
    const bot = ctx.services.bot;
    // a clear error before anything changes, rather than a message that waits forever
    if (input.tellClient) bot.outbox();
    ctx.audit.details = { tellClient: input.tellClient };
    const detail = changeMatter(ctx, input.matterId, (store, staff, at) =>
      updateMatter(store, input, staff, at, { outbox: () => bot.outbox(), settings: bot.settings, requestId: ctx.requestId }),
    );
    if (input.tellClient && detail.conversationId !== null) inboxChanged(ctx, detail.conversationId);
    return detail;
  },

  'matters.addNote': (input, ctx) => changeMatter(ctx, input.matterId, (store, staff, at) => addNote(store, input, staff, at)),

  'matters.regeneratePdf': (input, ctx) => {
    const staff = staffOf(ctx);
    const { store, bot } = ctx.services;
    const at = now(ctx);
    ctx.audit.target = matter(input.matterId);
    ctx.audit.details = { sendToClient: input.sendToClient };
    if (input.sendToClient) bot.outbox(); // a clear error now, rather than a PDF that waits forever
    ctx.write(() => requestPdf(store, input, staff, at));
    bot.pdfs.wake();
    return { queued: true as const };
  },

  'conflicts.clear': (input, ctx) => {
    const staff = staffOf(ctx);
    const store = ctx.services.store;
    const at = now(ctx);
    const matterId = ctx.write(() => {
      const hit = conflictHit(store, input.hitId);
      ctx.audit.target = matter(hit.matter_id);
      ctx.audit.details = { hitId: input.hitId };
      clearConflict(store, hit, input.note, staff, at);
      return hit.matter_id;
    });
    matterChanged(ctx, matterId);
    return matterDetail(store, matterId);
  },

  'dataRequests.list': (input, ctx) => dataRequestList(ctx.services.store, input.status),

  'dataRequests.resolve': (input, ctx) => {
    const staff = staffOf(ctx);
    ctx.audit.target = { type: 'data_request', id: String(input.id) };
    ctx.write(() => resolveDataRequest(ctx.services.store, input, staff, now(ctx)));
    return { id: input.id, status: 'done' as const };
  },

  'botSettings.get': (_input, ctx) => {
    const settings = ctx.services.bot.settings;
    return {
      settings: settings.get(),
      notice: settings.privacyNotice(),
      catalog: catalogKeys(),
      languages: settings.languages(),
      catalogs: settings.catalogs(),
    };
  },

  'botSettings.update': (input, ctx) => {
    const staff = staffOf(ctx);
    const bot = ctx.services.bot;
    ctx.audit.target = { type: 'bot_settings', id: input.section };
    bot.settings.check(input);
    ctx.write(() => bot.settings.set(input.section, input.value as never, staff.name));
    bot.settingsChanged(input.section);
    return { settings: bot.settings.get() };
  },

  'botSettings.publishNotice': (input, ctx) => {
    const staff = staffOf(ctx);
    const settings = ctx.services.bot.settings;
    const notice = ctx.write(() => settings.publishNotice(input.text, staff.name, input.translations));
    ctx.audit.target = { type: 'privacy_notice', id: notice.version };
    return notice;
  },
};
