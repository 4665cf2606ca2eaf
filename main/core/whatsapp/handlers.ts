import { SIMULATOR_MEDIA_BYTES } from '../../../shared/contract/whatsapp.js';
import type { OutboxEntry, WhatsAppStatus, whatsappOperations } from '../../../shared/contract/whatsapp.js';
import { roleAllows } from '../../../shared/permissions.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import { AppError } from '../errors.js';
import type { CoreServices } from '../services.js';
import type { OutboxRow } from './outbox.js';
import { SimulatorStateError, type SimulatorTransport } from './simulator.js';
import { numberOfChat } from './transport.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function statusOf(ctx: HandlerContext<CoreServices>): WhatsAppStatus {
  const whatsapp = ctx.services.whatsapp;
  const link = whatsapp.status();
  const stats = whatsapp.stats();
  const mayLink = ctx.principal !== null && roleAllows(ctx.principal.role, 'whatsapp.manage');
  return {
    transport: stats.transport,
    state: link.state,
    since: new Date(link.since).toISOString(),
    number: link.number,
    reason: link.reason,
    reconnects: link.reconnects,
    retryAt: iso(link.retryAt),
    qr: mayLink ? link.qr : null,
    lastInboundAt: iso(stats.lastInboundAt),
    lastOutboundAt: iso(stats.lastOutboundAt),
    queueDepth: stats.queueDepth,
    failedCount: stats.failedInOutbox,
    counters: {
      inboundStored: stats.inboundStored,
      inboundDuplicates: stats.inboundDuplicates,
      outboundSent: stats.outboundSent,
      outboundFailed: stats.outboundFailed,
      sendErrors: stats.sendErrors,
    },
  };
}

function entryOf(row: OutboxRow): OutboxEntry {
  return {
    id: row.id,
    number: numberOfChat(row.chatId),
    kind: row.kind,
    preview: row.text === null ? null : row.text.slice(0, 200),
    fileName: row.fileName,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: new Date(row.createdAt).toISOString(),
    nextAttemptAt: new Date(row.nextAttemptAt).toISOString(),
    sentAt: iso(row.sentAt),
    failedAt: iso(row.failedAt),
  };
}

/** The simulator's controls exist only while the simulator is the transport; otherwise the operation does not exist. */
function simulatorOf(ctx: HandlerContext<CoreServices>, operation: string): SimulatorTransport {
  const simulator = ctx.services.whatsapp.simulator;
  if (!simulator) throw new AppError('not_found', `There is no operation called "${operation}".`);
  return simulator;
}

function control<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SimulatorStateError) throw new AppError('conflict', err.message);
    throw err;
  }
}

const session = { type: 'whatsapp', id: 'session' };

export const whatsappHandlers: { [N in keyof typeof whatsappOperations]: Handler<N, CoreServices> } = {
  'whatsapp.status': (_input, ctx) => statusOf(ctx),
  'whatsapp.logout': async (_input, ctx) => {
    ctx.audit.target = session;
    await ctx.services.whatsapp.logout();
    return statusOf(ctx);
  },
  'whatsapp.restart': async (_input, ctx) => {
    ctx.audit.target = session;
    await ctx.services.whatsapp.restart();
    return statusOf(ctx);
  },
  'whatsapp.outbox.list': (input, ctx) => {
    const rows = ctx.services.whatsapp.outbox.list({
      status: input.status === 'all' ? undefined : input.status,
      limit: input.limit,
    });
    return { rows: rows.map(entryOf) };
  },
  'whatsapp.outbox.retry': (input, ctx) => {
    ctx.audit.target = { type: 'whatsapp.outbox', id: String(input.id) };
    // the row and the audit record change together
    return entryOf(ctx.write(() => ctx.services.whatsapp.outbox.retry(input.id)));
  },
  'simulator.pair': (_input, ctx) => {
    control(() => simulatorOf(ctx, 'simulator.pair').pair());
    return { state: ctx.services.whatsapp.status().state };
  },
  'simulator.drop': (_input, ctx) => {
    control(() => simulatorOf(ctx, 'simulator.drop').drop());
    return { state: ctx.services.whatsapp.status().state };
  },
  'simulator.clientSend': (input, ctx) => {
    const simulator = simulatorOf(ctx, 'simulator.clientSend');
    const media = input.media ? { fileName: input.media.fileName, mimetype: input.media.mimetype, data: Buffer.from(input.media.base64, 'base64') } : undefined;
    if (media && media.data.length > SIMULATOR_MEDIA_BYTES) throw new AppError('invalid_input', 'The simulator takes files up to 16 MB.');
    const message = simulator.clientSend(input.from, input.name ?? null, input.text, media);
    return { id: message.id, delivered: simulator.connected };
  },
  'simulator.clientFile': async (input, ctx) => {
    const simulator = simulatorOf(ctx, 'simulator.clientFile');
    const inChat = simulator.network.chat(input.from).some((m) => m.id === input.messageId);
    const media = inChat ? await simulator.network.readFile(input.messageId) : null;
    if (!media) throw new AppError('not_found', 'There is no such file in this chat.');
    return { fileName: media.fileName ?? 'file', mimetype: media.mimetype, base64: media.data.toString('base64') };
  },
  'simulator.clientInbox': (input, ctx) => {
    const simulator = simulatorOf(ctx, 'simulator.clientInbox');
    // the client looked at the chat: what the office sent is read
    simulator.clientRead(input.from);
    const messages = simulator.network
      .chat(input.from)
      .filter((m) => m.direction === 'out')
      .map((m) => ({ id: m.id, text: m.text, fileName: m.fileName, mimetype: m.mimetype, at: new Date(m.at).toISOString() }));
    return { messages };
  },
  'simulator.clients': (_input, ctx) => {
    const simulator = simulatorOf(ctx, 'simulator.clients');
    return {
      clients: simulator.network.clients().map((c) => ({ ...c, lastAt: new Date(c.lastAt).toISOString() })),
    };
  },
  'simulator.chat': (input, ctx) => {
    const simulator = simulatorOf(ctx, 'simulator.chat');
    return {
      messages: simulator.network
        .chat(input.from)
        .map((m) => ({ id: m.id, direction: m.direction, text: m.text, fileName: m.fileName, mimetype: m.mimetype, at: new Date(m.at).toISOString() })),
    };
  },
};
