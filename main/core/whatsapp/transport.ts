/**
 * The WhatsApp transport: the small surface LexDesk needs from WhatsApp, with two
 * implementations (the whatsapp-web.js adapter and the simulator). The supervisor,
 * the inbound ledger, the outbox and every test talk to this interface only.
 */

/** What a transport reports about its connection. */
export type TransportEvent =
  | { type: 'starting' }
  | { type: 'qr'; qr: string }
  | { type: 'authenticated' }
  | { type: 'ready'; number: string | null }
  /**
   * The link dropped. `kind` says what the supervisor should do: `transient` →
   * reconnect with back-off; `logged_out` → wait for a person (new QR); `fatal` →
   * stop and show `reason` (banned account, outdated WhatsApp Web version).
   */
  | { type: 'disconnected'; reason: string; kind: DisconnectKind }
  /** the transport could not start; `retry` false when trying again cannot help */
  | { type: 'failed'; reason: string; retry: boolean };

export type DisconnectKind = 'transient' | 'logged_out' | 'fatal';

export interface MediaInfo {
  mimetype: string;
  fileName: string | null;
  /** bytes, when WhatsApp told us */
  size: number | null;
  /**
   * As the ledger knows it: `pending` until the file is fetched and in the document
   * store, then `stored` (with `documentId`) or `failed` (with `error`, a sentence
   * for staff). A transport leaves these out.
   */
  state?: 'pending' | 'stored' | 'failed';
  documentId?: number | null;
  error?: string | null;
}

/** A message a client sent to the office, as the transport received it. */
export interface InboundMessage {
  /** WhatsApp's serialized message id: the ledger's key */
  id: string;
  /** e.g. "5511987654321@c.us" */
  chatId: string;
  /** the sender's number in international digits, e.g. "5511987654321" */
  from: string;
  /** the name the sender set in WhatsApp, when there is one */
  pushName: string | null;
  /** when WhatsApp says it was sent, ms since the epoch */
  timestamp: number;
  text: string;
  media: MediaInfo | null;
  /**
   * Fetches the media's bytes from the message object the transport received
   * (whatsapp-web.js's `downloadMedia()` is reliable only on the message as it
   * arrived, so the WhatsApp link calls this at once). Not stored.
   */
  fetchMedia?: () => Promise<DownloadedMedia | null>;
}

/**
 * A file as WhatsApp hands it over: its bytes come as `chunks`, in order, each a
 * small piece handed over in its own turn of the event loop, so that a large file
 * is never one Buffer on the main thread, nor one long synchronous step. Reading
 * them is the download (it may fail part way through); nothing is read until then.
 */
export interface DownloadedMedia {
  mimetype: string;
  fileName: string | null;
  /** bytes in all, when the transport knows before reading */
  size: number | null;
  chunks: AsyncIterable<Buffer>;
}

export interface OutgoingDocument {
  data: Buffer;
  fileName: string;
  mimetype: string;
  caption?: string;
}

/** What a sent message looked like, to find it again after a crash (see `findSent`). */
export type SentProbe = { kind: 'text'; text: string } | { kind: 'document'; fileName: string };

/** A send that failed. `transient` errors are retried by the outbox; others fail the row at once. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface TransportListeners {
  event(event: TransportEvent): void;
  /** called for every inbound message as it arrives; must store it before returning */
  message(message: InboundMessage): void;
  /**
   * WhatsApp acknowledged a message the office sent (its id as `send*` returned
   * it): 1 reached WhatsApp's server, 2 delivered to the client's phone, 3 read.
   */
  ack?(messageId: string, ack: Ack): void;
}

/** WhatsApp's acknowledgement of a sent message: 1 server, 2 delivered, 3 read (whatsapp-web.js `message_ack`). */
export type Ack = 1 | 2 | 3;

export interface Transport {
  readonly kind: 'whatsapp-web' | 'simulator';
  /** Connects. Progress and outcome arrive as events; resolves once the attempt is under way. */
  start(listeners: TransportListeners): Promise<void>;
  /** Disconnects and releases everything (browser, files); the session stays linked. */
  stop(): Promise<void>;
  /** Unlinks the office number: the next start shows a new QR. */
  logout(): Promise<void>;
  /**
   * Ends a hung connection by force (the browser's whole process tree). The
   * supervisor calls it when the watchdog gets no answer.
   */
  kill(): Promise<void>;
  /** WhatsApp's own connection state ("CONNECTED" when healthy); the watchdog's probe. */
  probe(): Promise<string | null>;
  sendText(chatId: string, text: string): Promise<string>;
  sendDocument(chatId: string, document: OutgoingDocument): Promise<string>;
  /**
   * Inbound messages sent at or after `sinceMs` in chats with unread messages or
   * activity since then: the catch-up after a (re)connect. Duplicates are fine (the
   * ledger ignores them).
   */
  catchUp(sinceMs: number): Promise<InboundMessage[]>;
  /**
   * The id of a message we sent to `chatId` at or after `sinceMs` that looks like
   * `probe` and is none of `exclude`, or null. Used to settle outbox rows whose send
   * may have reached WhatsApp before a crash or a timeout.
   */
  findSent(chatId: string, probe: SentProbe, sinceMs: number, exclude: ReadonlySet<string>): Promise<string | null>;
  downloadMedia(messageId: string): Promise<DownloadedMedia | null>;
}

/** "5511987654321@c.us" → "5511987654321" */
export function numberOfChat(chatId: string): string {
  return chatId.split('@')[0]!.replace(/\D/g, '');
}

/** "5511987654321" → "5511987654321@c.us" */
export function chatOfNumber(number: string): string {
  return `${number}@c.us`;
}

/** Direct chats with a person; groups, broadcasts, status and channels are not the office's business. */
export function isDirectChat(chatId: string): boolean {
  return /@(c\.us|lid)$/.test(chatId);
}
