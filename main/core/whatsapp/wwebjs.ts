import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from '../log.js';
import { ChromiumNotFoundError, findChromium } from './chromium.js';
import type { WhatsAppConfig } from './config.js';
import { forgetBrowser, isAlive, killOrphanedBrowser, killProcessTree, rememberBrowser } from './process-tree.js';
import { withTimeout } from './supervisor.js';
import {
  SendError,
  isDirectChat,
  numberOfChat,
  type DisconnectKind,
  type DownloadedMedia,
  type InboundMessage,
  type OutgoingDocument,
  type SentProbe,
  type Transport,
  type TransportListeners,
} from './transport.js';

/*
 * The parts of whatsapp-web.js 1.34 this adapter uses, typed here so that the
 * tests' fake Client can be checked against the same shapes (index.d.ts of the
 * library has the full ones).
 */
export interface WMessageId {
  _serialized: string;
}
export interface WMessage {
  id: WMessageId;
  from: string;
  fromMe: boolean;
  body: string;
  timestamp: number;
  hasMedia: boolean;
  type: string;
  isStatus?: boolean;
  broadcast?: boolean;
  /** raw fields; notifyName is the sender's push name, filename/size/mimetype describe media */
  _data?: { notifyName?: string; filename?: string; size?: number; mimetype?: string };
  downloadMedia(): Promise<{ mimetype: string; data: string; filename?: string | null } | undefined>;
}
export interface WChat {
  id: WMessageId;
  isGroup: boolean;
  unreadCount: number;
  timestamp: number;
  fetchMessages(options: { limit?: number; fromMe?: boolean }): Promise<WMessage[]>;
}
export interface WClient extends EventEmitter {
  info?: { wid?: { user?: string } } | null;
  pupBrowser?: { process(): { pid?: number } | null } | null;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  logout(): Promise<void>;
  getState(): Promise<string | null>;
  sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<WMessage>;
  getChats(): Promise<WChat[]>;
  getChatById(chatId: string): Promise<WChat>;
  getMessageById(messageId: string): Promise<WMessage | null | undefined>;
  getContactLidAndPhone?(userIds: string[]): Promise<{ lid: string; pn: string }[]>;
}

/** What the library needs to build a Client; the tests pass a factory of fakes instead. */
export interface ClientFactory {
  createClient(options: Record<string, unknown>): WClient;
  createMedia(mimetype: string, base64: string, fileName: string): unknown;
}

/**
 * The real library. whatsapp-web.js is CommonJS, and its ESM named exports do not
 * resolve, so it is loaded with require (and only when the adapter is used).
 */
export function libraryFactory(): ClientFactory {
  const require = createRequire(import.meta.url);
  const lib = require('whatsapp-web.js') as {
    Client: new (options: Record<string, unknown>) => WClient;
    LocalAuth: new (options: { dataPath: string; clientId?: string }) => unknown;
    MessageMedia: new (mimetype: string, data: string, filename?: string | null) => unknown;
  };
  return {
    createClient: (options) => {
      const { authDir, ...rest } = options as { authDir: string };
      return new lib.Client({ ...rest, authStrategy: new lib.LocalAuth({ dataPath: authDir }) });
    },
    createMedia: (mimetype, base64, fileName) => new lib.MessageMedia(mimetype, base64, fileName),
  };
}

/** WhatsApp's disconnect reasons (the WAState enum, or "LOGOUT") and what they mean for us. */
export function classifyDisconnect(reason: string): { kind: DisconnectKind; message: string } {
  switch (reason) {
    case 'LOGOUT':
    case 'UNPAIRED':
    case 'UNPAIRED_IDLE':
      return { kind: 'logged_out', message: 'The office number was unlinked from WhatsApp (on the phone or here).' };
    case 'TOS_BLOCK':
    case 'SMB_TOS_BLOCK':
      return { kind: 'fatal', message: 'WhatsApp blocked this number. LexDesk will not reconnect it; contact WhatsApp support.' };
    case 'DEPRECATED_VERSION':
      return {
        kind: 'fatal',
        message: 'WhatsApp no longer accepts the pinned WhatsApp Web version. Set LEXDESK_WHATSAPP_WEB_VERSION to a current one.',
      };
    default:
      return { kind: 'transient', message: `WhatsApp disconnected (${reason}).` };
  }
}

/** Message types that carry no document: stickers are pictures of feelings, reactions are emoji on another message. */
const NOT_DOCUMENTS = new Set(['sticker', 'reaction', 'revoked', 'e2e_notification', 'notification_template', 'call_log']);

/** The library's media object as our transport's DownloadedMedia. */
export function fromLibraryMedia(media: { mimetype: string; data: string; filename?: string | null } | undefined | null): DownloadedMedia | null {
  if (!media || typeof media.data !== 'string') return null;
  return { mimetype: media.mimetype, fileName: media.filename ?? null, size: null, chunks: decodeBase64(media.data) };
}

/** How much base64 text is decoded in one step (a multiple of 4: a whole number of 3-byte groups). */
export const BASE64_SLICE_CHARS = 256 * 1024;
const NOT_BASE64 = /[^A-Za-z0-9+/=_-]/;

/**
 * The library hands a file over as one base64 string (about 67 MB of text for a
 * 50 MB file): decoded at once it would hold the event loop for as long as that
 * takes. Here it is decoded a slice at a time, the event loop free between slices,
 * into the same bytes `Buffer.from(text, 'base64')` gives (characters outside the
 * alphabet, such as line breaks, are skipped as it skips them).
 */
export async function* decodeBase64(text: string, sliceChars = BASE64_SLICE_CHARS): AsyncGenerator<Buffer> {
  if (sliceChars <= 0 || sliceChars % 4 !== 0) throw new Error('a base64 slice is a positive multiple of 4 characters');
  let carry = '';
  for (let offset = 0; offset < text.length; offset += sliceChars) {
    if (offset > 0) await yieldToLoop();
    const raw = text.slice(offset, offset + sliceChars);
    if (carry === '' && raw.length % 4 === 0) {
      // the usual slice: whole groups of the alphabet only, which decode to exactly 3 bytes per 4 characters
      const bytes = Buffer.from(raw, 'base64');
      if (bytes.length === (raw.length / 4) * 3) {
        if (bytes.length > 0) yield bytes;
        continue;
      }
    }
    let slice = carry + raw;
    if (NOT_BASE64.test(slice)) slice = slice.replace(new RegExp(NOT_BASE64.source, 'g'), '');
    // padding ends the data: what follows it is not decoded
    const last = offset + sliceChars >= text.length || slice.includes('=');
    const whole = last ? slice.length : slice.length - (slice.length % 4);
    carry = slice.slice(whole);
    const bytes = Buffer.from(slice.slice(0, whole), 'base64');
    if (bytes.length > 0) yield bytes;
    if (last) return;
  }
}

/** Keep only what the office should answer: direct chats from other people. */
export function toInbound(message: WMessage): InboundMessage | null {
  if (message.fromMe || message.isStatus || message.broadcast || !isDirectChat(message.from)) return null;
  if (NOT_DOCUMENTS.has(message.type)) return null;
  const media = message.hasMedia
    ? {
        mimetype: message._data?.mimetype ?? 'application/octet-stream',
        fileName: message._data?.filename ?? null,
        size: typeof message._data?.size === 'number' ? message._data.size : null,
      }
    : null;
  return {
    id: message.id._serialized,
    chatId: message.from,
    from: numberOfChat(message.from),
    pushName: message._data?.notifyName ?? null,
    timestamp: message.timestamp * 1000,
    // the library gives a media message's caption as its body
    text: message.body ?? '',
    media,
    fetchMedia: media ? async () => fromLibraryMedia(await message.downloadMedia()) : undefined,
  };
}

const CATCH_UP_LIMIT = 50;

/**
 * The whatsapp-web.js adapter: a headless Chromium running WhatsApp Web, its
 * session kept by LocalAuth inside the data folder, the WhatsApp Web version pinned
 * in config. One Client per start (a destroyed Client is not reused); events from
 * an old one are ignored.
 */
export class WwebjsTransport implements Transport {
  readonly kind = 'whatsapp-web' as const;
  private client: WClient | null = null;
  private browserPid: number | undefined;
  private readonly initializing = new WeakMap<WClient, { done: boolean }>();
  private readonly authDir: string;
  readonly profileDir: string;

  constructor(
    private readonly config: WhatsAppConfig,
    private readonly log: Logger,
    private factory: ClientFactory | null = null,
    private readonly options: { findBrowser?: (configured: string | undefined) => string } = {},
  ) {
    this.authDir = join(config.dir, 'auth');
    // LocalAuth keeps the browser profile (and so the session) in <dataPath>/session
    this.profileDir = join(this.authDir, 'session');
  }

  async start(listeners: TransportListeners): Promise<void> {
    await this.dispose(false);
    listeners.event({ type: 'starting' });
    let executablePath: string;
    try {
      executablePath = (this.options.findBrowser ?? findChromium)(this.config.chromiumPath);
    } catch (err) {
      if (err instanceof ChromiumNotFoundError) {
        listeners.event({ type: 'failed', reason: err.message, retry: false });
        return;
      }
      throw err;
    }
    mkdirSync(this.authDir, { recursive: true, mode: 0o700 });
    const killed = await killOrphanedBrowser(this.config.dir, this.profileDir);
    if (killed.length > 0) this.log.warn({ pids: killed }, 'killed a browser left behind by an earlier run');

    this.factory ??= libraryFactory();
    const client = this.factory.createClient({
      authDir: this.authDir,
      puppeteer: {
        executablePath,
        headless: true,
        // DevTools over a pipe, not a socket: when LexDesk ends, however it ends (even
        // SIGKILL or a crash), the pipe closes and Chromium exits with it, helpers and all
        pipe: true,
        args: [
          '--no-first-run',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          // Chromium refuses to run as root with its sandbox; containers often lack what it needs
          ...(this.config.chromiumNoSandbox || process.getuid?.() === 0 ? ['--no-sandbox', '--disable-setuid-sandbox'] : []),
        ],
      },
      webVersion: this.config.webVersion,
      webVersionCache: this.config.webCacheUrl
        ? { type: 'remote', remotePath: this.config.webCacheUrl, strict: true }
        : { type: 'local', path: join(this.config.dir, 'web-cache') },
      takeoverOnConflict: true,
      takeoverTimeoutMs: 10_000,
      deviceName: 'LexDesk',
    });
    this.client = client;
    const mine = () => this.client === client;

    client.on('qr', (qr: string) => mine() && listeners.event({ type: 'qr', qr }));
    client.on('authenticated', () => mine() && listeners.event({ type: 'authenticated' }));
    client.on('auth_failure', (message: string) => {
      if (!mine()) return;
      listeners.event({
        type: 'disconnected',
        reason: `The saved WhatsApp session was refused (${message}). Link the number again.`,
        kind: 'logged_out',
      });
    });
    client.on('ready', () => {
      if (!mine()) return;
      this.noteBrowser(client);
      listeners.event({ type: 'ready', number: client.info?.wid?.user ?? null });
    });
    client.on('message', (message: WMessage) => {
      if (!mine()) return;
      const inbound = toInbound(message);
      if (!inbound) return;
      if (!inbound.chatId.endsWith('@lid') || !client.getContactLidAndPhone) {
        listeners.message(inbound);
        return;
      }
      // a privacy id (@lid) is not a phone number: ask WhatsApp for the number behind it
      client
        .getContactLidAndPhone([inbound.chatId])
        .then(([pair]) => {
          if (pair?.pn) inbound.from = numberOfChat(pair.pn);
        })
        .catch(() => {})
        .finally(() => {
          if (mine()) listeners.message(inbound);
        });
    });
    client.on('message_ack', (message: WMessage, ack: number) => {
      // -1 error, 0 pending, 1 server, 2 delivered, 3 read, 4 played (a voice note): the office's own messages only
      if (!mine() || !message.fromMe || !(ack >= 1)) return;
      listeners.ack?.(message.id._serialized, Math.min(3, ack) as 1 | 2 | 3);
    });
    client.on('disconnected', (reason: string) => {
      if (!mine()) return;
      const { kind, message } = classifyDisconnect(String(reason));
      listeners.event({ type: 'disconnected', reason: message, kind });
    });

    // initialize() can hang (WhatsApp Web never loading): it is not awaited, so the
    // supervisor's start timeout and watchdog stay in charge
    const settled = { done: false };
    this.initializing.set(client, settled);
    client.initialize().then(
      () => {
        settled.done = true;
        if (!mine()) return void this.killLate(client);
        this.noteBrowser(client);
      },
      (err: unknown) => {
        settled.done = true;
        if (!mine()) return void this.killLate(client);
        this.noteBrowser(client);
        this.log.warn({ err }, 'WhatsApp Web did not start');
        listeners.event({ type: 'failed', reason: `WhatsApp Web did not start: ${String((err as Error)?.message ?? err).slice(0, 200)}`, retry: true });
      },
    );
  }

  /**
   * A Client that was stopped while its browser was still being launched: the
   * browser it got after all goes at once, whatever dispose saw at the time.
   */
  private async killLate(client: WClient): Promise<void> {
    const pid = client.pupBrowser?.process()?.pid;
    if (pid && isAlive(pid)) await killProcessTree(pid);
  }

  private noteBrowser(client: WClient): void {
    const pid = client.pupBrowser?.process()?.pid;
    if (pid && pid !== this.browserPid) {
      this.browserPid = pid;
      rememberBrowser(this.config.dir, pid);
    }
  }

  /** Detaches the current Client and closes it; by force when `hard` or when closing fails. */
  private async dispose(hard: boolean): Promise<void> {
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners();
      // a browser still being launched would outlive us: wait until it exists (or the launch failed)
      const settled = this.initializing.get(client);
      for (let waited = 0; settled && !settled.done && !client.pupBrowser && waited < 15_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      this.noteBrowser(client);
      if (!hard) {
        try {
          await withTimeout(client.destroy(), 10_000, 'destroy timed out');
        } catch (err) {
          this.log.warn({ err }, 'the WhatsApp browser did not close; killing it');
        }
      }
    }
    const pid = this.browserPid;
    if (pid && (hard || isAlive(pid))) await killProcessTree(pid);
    this.browserPid = undefined;
    // whatever is still on the profile (helpers that left the process group) goes too
    if (client || pid) await killOrphanedBrowser(this.config.dir, this.profileDir);
    forgetBrowser(this.config.dir);
  }

  async stop(): Promise<void> {
    await this.dispose(false);
  }

  /** the browser's pid while one runs (monitoring measures its CPU and memory) */
  get runningBrowserPid(): number | null {
    return this.client?.pupBrowser?.process()?.pid ?? this.browserPid ?? null;
  }

  async kill(): Promise<void> {
    await this.dispose(true);
  }

  async logout(): Promise<void> {
    const client = this.client;
    if (client) {
      try {
        await withTimeout(client.logout(), 15_000, 'logout timed out');
      } catch (err) {
        this.log.warn({ err }, 'WhatsApp logout did not finish; removing the saved session');
      }
    }
    await this.dispose(true);
    // without a live client LocalAuth cannot log out: forget the session files ourselves
    const { rm } = await import('node:fs/promises');
    await rm(this.profileDir, { recursive: true, force: true, maxRetries: 4 });
  }

  async probe(): Promise<string | null> {
    if (!this.client) throw new Error('no WhatsApp client');
    return this.client.getState();
  }

  private ready(): WClient {
    if (!this.client) throw new SendError('WhatsApp is not connected.', true);
    return this.client;
  }

  async sendText(chatId: string, text: string): Promise<string> {
    return this.send(chatId, text, undefined);
  }

  async sendDocument(chatId: string, document: OutgoingDocument): Promise<string> {
    const media = (this.factory ??= libraryFactory()).createMedia(document.mimetype, document.data.toString('base64'), document.fileName);
    return this.send(chatId, media, { sendMediaAsDocument: true, ...(document.caption ? { caption: document.caption } : {}) });
  }

  private async send(chatId: string, content: unknown, options: Record<string, unknown> | undefined): Promise<string> {
    const client = this.ready();
    let sent: WMessage;
    try {
      sent = await withTimeout(client.sendMessage(chatId, content, options), 60_000, 'sending timed out');
    } catch (err) {
      const message = String((err as Error)?.message ?? err);
      // a number that is not on WhatsApp will not become one by retrying
      const permanent = /wid error|invalid wid|not a valid|no lid for user/i.test(message);
      throw new SendError(message.slice(0, 300), !permanent);
    }
    if (!sent?.id?._serialized) throw new SendError('WhatsApp did not return a message id.', true);
    return sent.id._serialized;
  }

  async catchUp(sinceMs: number): Promise<InboundMessage[]> {
    const client = this.ready();
    const found: InboundMessage[] = [];
    for (const chat of await client.getChats()) {
      if (chat.isGroup || !isDirectChat(chat.id._serialized)) continue;
      if (chat.unreadCount <= 0 && chat.timestamp * 1000 < sinceMs) continue;
      const limit = Math.min(Math.max(chat.unreadCount, 10), CATCH_UP_LIMIT);
      for (const message of await chat.fetchMessages({ limit })) {
        if (message.timestamp * 1000 < sinceMs) continue;
        const inbound = toInbound(message);
        if (inbound) found.push(inbound);
      }
    }
    return found.sort((a, b) => a.timestamp - b.timestamp);
  }

  async findSent(chatId: string, probe: SentProbe, sinceMs: number, exclude: ReadonlySet<string>): Promise<string | null> {
    const client = this.ready();
    const chat = await client.getChatById(chatId);
    const mine = await chat.fetchMessages({ limit: 30, fromMe: true });
    const match = mine.find(
      (m) =>
        m.fromMe &&
        m.timestamp * 1000 >= sinceMs &&
        !exclude.has(m.id._serialized) &&
        (probe.kind === 'text' ? !m.hasMedia && m.body === probe.text : m.hasMedia && m._data?.filename === probe.fileName),
    );
    return match?.id._serialized ?? null;
  }

  async downloadMedia(messageId: string): Promise<DownloadedMedia | null> {
    const client = this.ready();
    const message = await client.getMessageById(messageId);
    if (!message?.hasMedia) return null;
    return fromLibraryMedia(await message.downloadMedia());
  }
}
