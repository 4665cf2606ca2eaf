import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { BotInboundMessage, BotOutbox, InboundContext } from './link.js';
import { parseState, turn, type TurnResult } from './machine.js';
import {
  appendMessage,
  clientByWhatsapp,
  conversationByChat,
  createIntake,
  ensureConversation,
  hasConsented,
  linkDocument,
  mattersForStatus,
  messageSeen,
  preview,
  recordConsent,
  recordDataRequest,
  forgetDeclined,
  DECLINED_PREVIEW,
  updateConversation,
  type CreatedIntake,
} from './records.js';
import type { BotSettingsStore } from './settings.js';
import { readRetentionRules } from '../privacy/retention.js';

export interface EngineDeps {
  store: () => Store;
  clock: Clock;
  log: Logger;
  events: EventBus;
  settings: BotSettingsStore;
  outbox: () => BotOutbox;
  /** told when an intake queued a PDF */
  onPdfQueued: () => void;
}

/** What one inbound message led to (for tests and the benchmark). */
export interface Handled {
  conversationId: number;
  reply: string | null;
  outboxId: number | null;
  intake: CreatedIntake | null;
  result: TurnResult | null;
}

/**
 * The bot's consumer of the inbound ledger: for each message it reads what the
 * office knows (conversation state, client, consent, own matters), runs one turn
 * of the state machine, then writes everything the turn decided (state, thread,
 * consent, intake with conflict check, hand-off, reply in the outbox) in the
 * ledger's commit, so the step happens exactly once even across a crash.
 */
export class BotEngine {
  constructor(private readonly deps: EngineDeps) {}

  handle(message: BotInboundMessage, ctx: InboundContext): Handled | null {
    const store = this.deps.store();
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const settingsStore = this.deps.settings;
    const settings = settingsStore.get();
    const notice = settingsStore.privacyNotice();

    const conversation = conversationByChat(store, message.chatId);
    const client = clientByWhatsapp(store, message.from) ?? null;
    // a resolved conversation opens again: with the bot, or straight with staff (Bot settings)
    const reopened = conversation?.closed_at ? settings.behaviour.reopenTo : null;
    const modeBefore = reopened === 'staff' ? 'waiting' : reopened === 'bot' ? 'bot' : (conversation?.mode ?? 'bot');
    const result = turn(
      parseState(conversation?.state),
      {
        text: message.text,
        from: message.from,
        // the chat's language, else the one the client on record speaks
        language: conversation?.language ?? client?.language ?? null,
        media: message.media
          ? { fileName: message.media.fileName, stored: message.media.state === undefined || message.media.state === 'stored' }
          : null,
        now,
        mode: modeBefore,
        // reopened to staff: not an idle conversation for the bot to take back
        lastActivityAt: reopened === 'staff' ? now.toISOString() : (conversation?.last_activity_at ?? null),
      },
      {
        settings,
        texts: (language) => settingsStore.texts(language),
        notice: { version: notice.version, text: (language) => settingsStore.noticeText(language, notice) },
        client,
        consentedToCurrent: hasConsented(store, message.from, notice.version),
        matters: client ? mattersForStatus(store, client.id) : [],
        declinedConsentHours: readRetentionRules(store).declinedConsentHours,
      },
    );

    const handled = ctx.commit((): Handled | null => {
      if (messageSeen(store, message.id)) return null;
      const conversationId = ensureConversation(store, {
        chatId: message.chatId,
        whatsapp: message.from,
        pushName: message.pushName,
        state: '{}',
        now: at,
      });
      const inboundText = message.text || (message.media ? `Attachment: ${message.media.fileName ?? message.media.mimetype}` : '');
      // the client's file, kept by the document store before this message reached the bot, joins the conversation
      const documentId = message.media?.state === 'stored' ? (message.media.documentId ?? null) : null;
      if (documentId !== null) linkDocument(store, documentId, conversationId);
      appendMessage(store, {
        conversationId,
        direction: 'in',
        author: 'client',
        authorName: message.pushName,
        text: message.text,
        fileName: message.media ? (message.media.fileName ?? message.media.mimetype) : null,
        documentId,
        mediaError: message.media?.state === 'failed' ? (message.media.error ?? 'The file could not be fetched.') : null,
        waId: message.id,
        at,
      });

      let intake: CreatedIntake | null = null;
      // a person with no client record who declined the notice (now, or earlier and has not consented since): the thread keeps no name and no text
      let declined = !client && !!conversation?.declined_at && !result.effects.some((e) => e.type === 'consent');
      let handoffReason: string | null = reopened === 'staff' ? 'reopened' : null;
      for (const effect of result.effects) {
        switch (effect.type) {
          case 'consent':
            recordConsent(store, { conversationId, whatsapp: message.from, version: effect.version, now: at });
            break;
          case 'intake':
            intake = createIntake(store, {
              conversationId,
              chatId: message.chatId,
              whatsapp: message.from,
              pushName: message.pushName,
              intake: effect.intake,
              consentVersion: effect.consentVersion,
              now,
              timeZone: settings.hours.timeZone,
              sendPdf: true,
            });
            break;
          case 'handoff':
            handoffReason = effect.reason;
            break;
          case 'handback':
            break;
          case 'data_request':
            recordDataRequest(store, { conversationId, whatsapp: message.from, kind: effect.kind, text: message.text, now: at });
            break;
          case 'consent_declined':
            if (!client) declined = true;
            break;
        }
      }
      if (declined) forgetDeclined(store, { conversationId, chatId: message.chatId, now: conversation?.declined_at ?? at });

      let outboxId: number | null = null;
      let reply = result.reply;
      if (reply !== null) {
        if (intake) reply = reply.replace(/\{reference\}/g, intake.reference);
        outboxId = this.deps.outbox().enqueueText({ chatId: message.chatId, text: reply, dedupeKey: `bot:${message.id}` });
        if (!declined) appendMessage(store, { conversationId, direction: 'out', author: 'bot', text: reply, outboxId, at });
      }

      updateConversation(store, {
        id: conversationId,
        state: JSON.stringify(result.state),
        mode: result.mode,
        handoffReason,
        preview: declined ? DECLINED_PREVIEW : preview(inboundText),
        now: at,
        inbound: true,
        lastIntakeMatterId: intake?.matterId ?? null,
        ...(result.language !== conversation?.language ? { language: result.language } : {}),
        ...(reopened ? { reopened: true } : {}),
      });
      return { conversationId, reply, outboxId, intake, result };
    });

    if (handled) {
      const handedOff = result.mode === 'waiting' && (modeBefore !== 'waiting' || reopened === 'staff');
      this.deps.events.emit('inbox.changed', {
        conversationId: handled.conversationId,
        reason: handled.intake ? 'intake' : handedOff ? 'waiting' : 'message',
      });
      this.tellStaff(handled.conversationId, handedOff, result.mode !== 'bot' && !handedOff);
      if (handled.intake) {
        this.deps.events.emit('matters.changed', { matterId: handled.intake.matterId });
        this.deps.onPdfQueued();
      }
    }
    return handled;
  }

  /** Everyone who answers clients hears of a hand-off, and of a client with staff writing again. */
  private tellStaff(conversationId: number, handedOff: boolean, wroteAgain: boolean): void {
    if (!handedOff && !wroteAgain) return;
    const store = this.deps.store();
    const row = store.get(
      store.db
        .selectFrom('conversations as c')
        .leftJoin('clients as cl', 'cl.id', 'c.client_id')
        .select(['c.whatsapp', 'c.push_name', 'cl.name', 'c.handoff_reason', 'c.waiting_since', 'c.last_preview', 'c.assigned_to_id'])
        .where('c.id', '=', conversationId),
    );
    if (!row) return;
    const displayName = row.name ?? row.push_name ?? `+${row.whatsapp}`;
    if (handedOff) {
      this.deps.events.emit('inbox.handedOff', { conversationId, displayName, reason: row.handoff_reason ?? 'asked', preview: row.last_preview });
    } else {
      this.deps.events.emit('inbox.waiting', {
        conversationId,
        displayName,
        waitingSince: row.waiting_since,
        preview: row.last_preview,
        assignedToId: row.assigned_to_id,
      });
    }
  }
}
