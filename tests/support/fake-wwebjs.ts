import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { ClientFactory, WChat, WClient, WMessage } from '../../main/core/whatsapp/wwebjs.js';

/**
 * A stand-in for whatsapp-web.js's Client: an EventEmitter with the library's
 * documented events (qr, authenticated, auth_failure, ready, message,
 * disconnected, change_state) and the methods the adapter calls. The test plays
 * WhatsApp by calling emit(). `browser` can be a real process tree, so that the
 * watchdog's kill can be checked for real.
 */
export class FakeClient extends EventEmitter implements WClient {
  info: { wid: { user: string } } | null = null;
  pupBrowser: { process(): ChildProcess | null } | null = null;
  initialized = false;
  destroyed = false;
  loggedOut = false;
  /** when true, getState() never answers (a hung WhatsApp Web page) */
  hung = false;
  state: string | null = 'CONNECTED';
  readonly sent: { chatId: string; content: unknown; options?: Record<string, unknown>; id: string }[] = [];
  chats: WChat[] = [];
  sendFailure: Error | null = null;
  private counter = 0;

  constructor(
    readonly options: Record<string, unknown>,
    browser: ChildProcess | null,
  ) {
    super();
    if (browser) this.pupBrowser = { process: () => browser };
  }

  async initialize(): Promise<void> {
    this.initialized = true;
  }
  async destroy(): Promise<void> {
    this.destroyed = true;
  }
  async logout(): Promise<void> {
    this.loggedOut = true;
  }
  getState(): Promise<string | null> {
    if (this.hung) return new Promise(() => {});
    return Promise.resolve(this.state);
  }
  async sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<WMessage> {
    if (this.sendFailure) throw this.sendFailure;
    const id = `true_${chatId}_FAKE${++this.counter}`;
    this.sent.push({ chatId, content, options, id });
    return message({ id, from: chatId, fromMe: true, body: typeof content === 'string' ? content : '' });
  }
  async getChats(): Promise<WChat[]> {
    return this.chats;
  }
  async getChatById(chatId: string): Promise<WChat> {
    const chat = this.chats.find((c) => c.id._serialized === chatId);
    if (!chat) throw new Error('chat not found');
    return chat;
  }
  /** what getMessageById finds (tests set it); none by default */
  getMessageById = async (_id: string): Promise<WMessage | null> => null;
  /** privacy ids (@lid) and the phone numbers behind them */
  lids: Record<string, string> = {};
  async getContactLidAndPhone(userIds: string[]): Promise<{ lid: string; pn: string }[]> {
    return userIds.map((lid) => ({ lid, pn: this.lids[lid] ?? '' }));
  }
}

/** A message as whatsapp-web.js builds it (timestamp in seconds). */
export function message(fields: { id: string; from: string; body: string; fromMe?: boolean; timestamp?: number; notifyName?: string }): WMessage {
  return {
    id: { _serialized: fields.id },
    from: fields.from,
    fromMe: fields.fromMe ?? false,
    body: fields.body,
    timestamp: fields.timestamp ?? Math.floor(Date.now() / 1000),
    hasMedia: false,
    type: 'chat',
    isStatus: false,
    broadcast: false,
    _data: { notifyName: fields.notifyName },
    downloadMedia: async () => undefined,
  };
}

export function fakeChat(chatId: string, messages: WMessage[], unreadCount = messages.length): WChat {
  return {
    id: { _serialized: chatId },
    isGroup: false,
    unreadCount,
    timestamp: Math.max(0, ...messages.map((m) => m.timestamp)),
    fetchMessages: async ({ limit, fromMe }) =>
      messages.filter((m) => fromMe === undefined || m.fromMe === fromMe).slice(-(limit ?? 50)),
  };
}

/** A browser-like process tree: a detached shell (group leader) with two children. */
export function spawnBrowserTree(marker: string): ChildProcess {
  return spawn('sh', ['-c', `sleep 300 & sleep 300 & wait # ${marker}`], { detached: true, stdio: 'ignore' });
}

export class FakeFactory implements ClientFactory {
  readonly clients: FakeClient[] = [];
  constructor(private readonly browser: (n: number) => ChildProcess | null = () => null) {}
  createClient(options: Record<string, unknown>): FakeClient {
    const client = new FakeClient(options, this.browser(this.clients.length));
    this.clients.push(client);
    return client;
  }
  createMedia(mimetype: string, base64: string, fileName: string) {
    return { mimetype, data: base64, filename: fileName };
  }
  get last(): FakeClient {
    return this.clients.at(-1)!;
  }
}

/**
 * A media message as whatsapp-web.js builds it: `hasMedia`, the type ('image',
 * 'document', 'ptt' for a voice note, 'sticker'…), `_data.filename`, `_data.mimetype`,
 * `_data.size`, the caption as `body`, and `downloadMedia()` resolving to
 * `{ mimetype, data: base64, filename }` (or undefined, or rejecting, as the library
 * does when WhatsApp no longer has the file). `downloads` counts the calls.
 */
export function mediaMessage(fields: {
  id: string;
  from: string;
  type: string;
  mimetype: string;
  data: Buffer;
  filename?: string;
  caption?: string;
  /** what WhatsApp announces; defaults to the data's length */
  size?: number;
  /** the first n downloads fail (rejecting), then they succeed */
  failFirst?: number;
  /** every download gives only this many bytes (a truncated transfer) */
  truncateTo?: number;
}): WMessage & { downloads: number } {
  const msg = {
    ...message({ id: fields.id, from: fields.from, body: fields.caption ?? '' }),
    hasMedia: true,
    type: fields.type,
    _data: { notifyName: 'Ana', filename: fields.filename, mimetype: fields.mimetype, size: fields.size ?? fields.data.length },
    downloads: 0,
    downloadMedia: async () => {
      msg.downloads++;
      if (msg.downloads <= (fields.failFirst ?? 0)) throw new Error('Evaluation failed: media not found');
      const data = fields.truncateTo !== undefined ? fields.data.subarray(0, fields.truncateTo) : fields.data;
      return { mimetype: fields.mimetype, data: data.toString('base64'), filename: fields.filename ?? null };
    },
  };
  return msg;
}
