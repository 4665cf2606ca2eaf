import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import {
  SendError,
  chatOfNumber,
  numberOfChat,
  type DownloadedMedia,
  type InboundMessage,
  type OutgoingDocument,
  type SentProbe,
  type Transport,
  type TransportListeners,
} from './transport.js';

/** The office number the simulator pretends to have linked. */
export const SIMULATED_OFFICE_NUMBER = '15550100000';

export interface SimulatedMessage {
  id: string;
  /** `in`: the client wrote to the office; `out`: the office wrote to the client */
  direction: 'in' | 'out';
  text: string | null;
  fileName: string | null;
  mimetype: string | null;
  at: number;
}

export interface SimulatedMedia {
  fileName: string;
  mimetype: string;
  data: Buffer;
}

export interface SimulatedClient {
  number: string;
  name: string | null;
  lastAt: number;
  received: number;
  sent: number;
}

/**
 * The simulated servers keep a file in parts of this size (table `sim_media_parts`)
 * and hand it over one part at a time, the event loop free between parts: SQLite
 * reads a BLOB whole, so a 50 MB file kept in one would hold LexDesk up for as long
 * as reading it takes, and `substr` on it reads it whole for every slice.
 */
export const SIM_PART_BYTES = 256 * 1024;

interface MessageRow {
  seq: number;
  id: string;
  chat_id: string;
  direction: 'in' | 'out';
  name: string | null;
  body: string | null;
  file_name: string | null;
  mimetype: string | null;
  at: number;
}

/**
 * The simulated WhatsApp network: the servers and the clients' phones. It keeps
 * its own SQLite file, apart from LexDesk's database, because in real life
 * WhatsApp remembers what it delivered whatever happens to LexDesk: a crash test
 * counts what was really "sent" here.
 */
export class SimulatorNetwork {
  private handle: Database.Database | null = null;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly file: string,
    private readonly clock: Clock,
    private readonly options: { nativeBinding?: string } = {},
  ) {}

  /** opened at first use (nothing touches the disk before the core starts) */
  get db(): Database.Database {
    if (this.handle) return this.handle;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const db = new Database(this.file, { nativeBinding: this.options.nativeBinding });
    db.pragma('journal_mode = WAL');
    // the simulated network must survive a killed LexDesk (the OS keeps what was written),
    // not a power cut: no fsync, and checkpoints rarely, to keep its cost off the event loop
    db.pragma('synchronous = OFF');
    db.pragma('wal_autocheckpoint = 10000');
    db.pragma('busy_timeout = 5000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS sim_messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        chat_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        name TEXT,
        body TEXT,
        file_name TEXT,
        mimetype TEXT,
        document BLOB,
        at INTEGER NOT NULL,
        media_size INTEGER
      ) STRICT;
      CREATE TABLE IF NOT EXISTS sim_media_parts (
        message_seq INTEGER NOT NULL,
        part INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (message_seq, part)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS sim_messages_by_chat_id ON sim_messages (chat_id, seq);
      CREATE INDEX IF NOT EXISTS sim_messages_by_at ON sim_messages (direction, at);
    `);
    // a file of an earlier simulator stays in `document`, whole; new ones are in parts, their size in `media_size`
    const columns = db.pragma('table_info(sim_messages)') as { name: string }[];
    if (!columns.some((c) => c.name === 'media_size')) db.exec('ALTER TABLE sim_messages ADD COLUMN media_size INTEGER');
    this.handle = db;
    return db;
  }

  /** a prepared statement, kept for the life of the connection */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  get linked(): boolean {
    return (this.sql(`SELECT value FROM sim_meta WHERE key = 'linked'`).get() as { value: string } | undefined)?.value === '1';
  }

  set linked(value: boolean) {
    this.sql(`INSERT INTO sim_meta (key, value) VALUES ('linked', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(value ? '1' : '0');
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  /** A client's phone sends a text (and, optionally, a file with it as caption) to the office; WhatsApp has it from now on. */
  clientSend(from: string, name: string | null, text: string, media?: SimulatedMedia): InboundMessage {
    const chatId = chatOfNumber(from);
    const id = `false_${chatId}_SIM${randomBytes(8).toString('hex').toUpperCase()}`;
    const at = this.now();
    this.db.transaction(() => {
      const { lastInsertRowid } = this.sql(`INSERT INTO sim_messages (id, chat_id, direction, name, body, file_name, mimetype, media_size, at) VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?)`)
        .run(id, chatId, name, text, media?.fileName ?? null, media?.mimetype ?? null, media?.data.length ?? null, at);
      if (media) this.keepParts(Number(lastInsertRowid), media.data);
    })();
    return this.toInbound({ id, chat_id: chatId, name, body: text, file_name: media?.fileName ?? null, mimetype: media?.mimetype ?? null, size: media?.data.length ?? null, at });
  }

  private toInbound(r: { id: string; chat_id: string; name: string | null; body: string | null; file_name: string | null; mimetype: string | null; size: number | null; at: number }): InboundMessage {
    const hasMedia = r.mimetype !== null;
    return {
      id: r.id,
      chatId: r.chat_id,
      from: numberOfChat(r.chat_id),
      pushName: r.name,
      timestamp: r.at,
      text: r.body ?? '',
      media: hasMedia ? { mimetype: r.mimetype!, fileName: r.file_name, size: r.size } : null,
      fetchMedia: hasMedia ? async () => this.media(r.id) : undefined,
    };
  }

  private keepParts(seq: number, data: Buffer): void {
    const insert = this.sql('INSERT INTO sim_media_parts (message_seq, part, bytes) VALUES (?, ?, ?)');
    for (let part = 0; part * SIM_PART_BYTES < data.length; part++) {
      insert.run(seq, part, data.subarray(part * SIM_PART_BYTES, (part + 1) * SIM_PART_BYTES));
    }
  }

  /**
   * A file in either direction (what a client sent, or what it received), or null.
   * Its bytes are read when its `chunks` are, one part per turn of the event loop.
   */
  media(id: string): DownloadedMedia | null {
    const row = this.sql(
      `SELECT seq, file_name, mimetype, media_size, length(document) AS legacy_size FROM sim_messages
        WHERE id = ? AND (media_size IS NOT NULL OR document IS NOT NULL)`,
    ).get(id) as { seq: number; file_name: string | null; mimetype: string | null; media_size: number | null; legacy_size: number | null } | undefined;
    if (!row) return null;
    const size = row.media_size ?? row.legacy_size ?? 0;
    return {
      fileName: row.file_name,
      mimetype: row.mimetype ?? 'application/octet-stream',
      size,
      chunks: row.media_size === null ? this.legacyChunks(row.seq) : this.partChunks(row.seq, size),
    };
  }

  /** The whole file of `id` in one Buffer (the simulated phone's own view of a file), or null. */
  async readFile(id: string): Promise<{ fileName: string | null; mimetype: string; data: Buffer } | null> {
    const media = this.media(id);
    if (!media) return null;
    const parts: Buffer[] = [];
    for await (const part of media.chunks) parts.push(part);
    return { fileName: media.fileName, mimetype: media.mimetype, data: Buffer.concat(parts) };
  }

  private async *partChunks(seq: number, size: number): AsyncGenerator<Buffer> {
    const read = this.sql('SELECT bytes FROM sim_media_parts WHERE message_seq = ? AND part = ?');
    for (let part = 0; part * SIM_PART_BYTES < size; part++) {
      await yieldToLoop();
      if (!this.handle?.open) throw new Error('the simulated WhatsApp closed during the download');
      const row = read.get(seq, part) as { bytes: Buffer } | undefined;
      if (!row) throw new Error('the simulated WhatsApp lost a part of the file');
      yield row.bytes;
    }
  }

  private async *legacyChunks(seq: number): AsyncGenerator<Buffer> {
    await yieldToLoop();
    if (!this.handle?.open) throw new Error('the simulated WhatsApp closed during the download');
    const row = this.sql('SELECT document FROM sim_messages WHERE seq = ?').get(seq) as { document: Buffer | null } | undefined;
    const data = row?.document ?? Buffer.alloc(0);
    for (let offset = 0; offset < data.length; offset += SIM_PART_BYTES) {
      if (offset > 0) await yieldToLoop();
      yield data.subarray(offset, offset + SIM_PART_BYTES);
    }
  }

  officeSend(chatId: string, content: { text: string } | OutgoingDocument): string {
    const id = `true_${chatId}_SIM${randomBytes(8).toString('hex').toUpperCase()}`;
    if ('text' in content) {
      this.sql(`INSERT INTO sim_messages (id, chat_id, direction, body, at) VALUES (?, ?, 'out', ?, ?)`)
        .run(id, chatId, content.text, this.now());
    } else {
      this.db.transaction(() => {
        const { lastInsertRowid } = this.sql(
          `INSERT INTO sim_messages (id, chat_id, direction, body, file_name, mimetype, media_size, at) VALUES (?, ?, 'out', ?, ?, ?, ?, ?)`,
        ).run(id, chatId, content.caption ?? null, content.fileName, content.mimetype, content.data.length, this.now());
        this.keepParts(Number(lastInsertRowid), content.data);
      })();
    }
    return id;
  }

  /** Inbound messages at or after `sinceMs`, in order. */
  inboundSince(sinceMs: number): InboundMessage[] {
    const rows = this.sql(`SELECT *, coalesce(media_size, length(document)) AS size FROM sim_messages WHERE direction = 'in' AND at >= ? ORDER BY seq`)
      .all(sinceMs) as (MessageRow & { size: number | null })[];
    return rows.map((r) => this.toInbound(r));
  }

  findOut(chatId: string, probe: SentProbe, sinceMs: number, exclude: ReadonlySet<string>): string | null {
    const rows = this.sql(`SELECT id, body, file_name FROM sim_messages WHERE chat_id = ? AND direction = 'out' AND at >= ? ORDER BY seq`)
      .all(chatId, sinceMs) as { id: string; body: string | null; file_name: string | null }[];
    const match = rows.find(
      (r) =>
        !exclude.has(r.id) &&
        (probe.kind === 'text' ? r.file_name === null && r.body === probe.text : r.file_name === probe.fileName),
    );
    return match?.id ?? null;
  }

  /** Everything in one client's chat, in order. */
  chat(number: string): SimulatedMessage[] {
    const rows = this.sql(`SELECT * FROM sim_messages WHERE chat_id = ? ORDER BY seq`)
      .all(chatOfNumber(number)) as MessageRow[];
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      text: r.body,
      fileName: r.file_name,
      mimetype: r.mimetype,
      at: r.at,
    }));
  }

  clients(): SimulatedClient[] {
    const rows = this.sql(
        `SELECT chat_id,
                (SELECT name FROM sim_messages n WHERE n.chat_id = m.chat_id AND n.name IS NOT NULL ORDER BY seq DESC LIMIT 1) AS name,
                MAX(at) AS last_at,
                SUM(direction = 'out') AS received,
                SUM(direction = 'in') AS sent
           FROM sim_messages m GROUP BY chat_id ORDER BY last_at DESC`,
      )
      .all() as { chat_id: string; name: string | null; last_at: number; received: number; sent: number }[];
    return rows.map((r) => ({
      number: numberOfChat(r.chat_id),
      name: r.name,
      lastAt: r.last_at,
      received: r.received,
      sent: r.sent,
    }));
  }

  close(): void {
    const db = this.handle;
    this.handle = null;
    this.statements.clear();
    if (!db?.open) return;
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // replayed at the next open
    }
    db.close();
  }
}

type SimState = 'off' | 'connecting' | 'qr' | 'ready';

/** Why a simulator control was refused (the operation answers `conflict`). */
export class SimulatorStateError extends Error {}

/**
 * A transport that behaves like the whatsapp-web.js adapter without a phone or a
 * network: it shows a QR that "pairs" on command, keeps the link across restarts
 * (like LocalAuth), drops on command, delivers messages that clients sent while
 * it was away through the catch-up, and remembers everything it sent.
 */
export class SimulatorTransport implements Transport {
  readonly kind = 'simulator' as const;
  private state: SimState = 'off';
  private listeners: TransportListeners | null = null;
  private pending: NodeJS.Timeout | null = null;
  /** told about every message in either direction (the chat panel refreshes) */
  onActivity: (event: { from: string; direction: 'in' | 'out' }) => void = () => {};

  constructor(
    readonly network: SimulatorNetwork,
    private readonly options: {
      connectDelayMs?: number;
      /** how long WhatsApp takes to confirm a send after it has the message (the window a crash can fall into) */
      sendLatencyMs?: number;
    } = {},
  ) {}

  async start(listeners: TransportListeners): Promise<void> {
    this.clearPending();
    this.listeners = listeners;
    this.state = 'connecting';
    listeners.event({ type: 'starting' });
    this.pending = setTimeout(() => {
      this.pending = null;
      if (this.state !== 'connecting') return;
      if (this.network.linked) {
        listeners.event({ type: 'authenticated' });
        this.state = 'ready';
        listeners.event({ type: 'ready', number: SIMULATED_OFFICE_NUMBER });
      } else {
        this.state = 'qr';
        listeners.event({ type: 'qr', qr: `lexdesk-simulator:${randomBytes(12).toString('base64url')}` });
      }
    }, this.options.connectDelayMs ?? 50);
  }

  private clearPending(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }

  async stop(): Promise<void> {
    this.clearPending();
    this.state = 'off';
    this.listeners = null;
  }

  async kill(): Promise<void> {
    await this.stop();
  }

  async logout(): Promise<void> {
    this.network.linked = false;
    await this.stop();
  }

  async probe(): Promise<string | null> {
    if (this.state === 'ready') return 'CONNECTED';
    if (this.state === 'qr') return 'UNPAIRED';
    return this.state === 'connecting' ? 'OPENING' : null;
  }

  /** The person "scans" the QR: the link becomes ready. */
  pair(): void {
    if (this.state !== 'qr' || !this.listeners) throw new SimulatorStateError('There is no QR code waiting to be scanned.');
    this.network.linked = true;
    const listeners = this.listeners;
    listeners.event({ type: 'authenticated' });
    this.state = 'ready';
    listeners.event({ type: 'ready', number: SIMULATED_OFFICE_NUMBER });
  }

  /** The connection drops, as when the network goes away. */
  drop(): void {
    if (this.state !== 'ready' || !this.listeners) throw new SimulatorStateError('The simulated link is not connected.');
    const listeners = this.listeners;
    this.state = 'off';
    this.listeners = null;
    listeners.event({ type: 'disconnected', reason: 'Connection lost (simulated drop)', kind: 'transient' });
  }

  get connected(): boolean {
    return this.state === 'ready';
  }

  /** A client writes to the office. Delivered at once when linked, else by the catch-up after the next connect. */
  clientSend(from: string, name: string | null, text: string, media?: SimulatedMedia): InboundMessage {
    const message = this.network.clientSend(from, name, text, media);
    if (this.state === 'ready' && this.listeners) this.listeners.message(message);
    this.onActivity({ from, direction: 'in' });
    return message;
  }

  async sendText(chatId: string, text: string): Promise<string> {
    return this.send(chatId, { text });
  }

  async sendDocument(chatId: string, document: OutgoingDocument): Promise<string> {
    return this.send(chatId, document);
  }

  private async send(chatId: string, content: { text: string } | OutgoingDocument): Promise<string> {
    if (this.state !== 'ready') throw new SendError('WhatsApp is not connected.', true);
    // WhatsApp has the message from here on; its confirmation comes a little later
    const id = this.network.officeSend(chatId, content);
    this.onActivity({ from: numberOfChat(chatId), direction: 'out' });
    const latency = this.options.sendLatencyMs ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    // the simulated phone is always on: the message is delivered as soon as WhatsApp has it
    const listeners = this.listeners;
    setImmediate(() => {
      listeners?.ack?.(id, 1);
      listeners?.ack?.(id, 2);
    });
    return id;
  }

  /** The simulated client opened the chat: what the office sent there is read (the blue ticks). */
  clientRead(from: string): void {
    const listeners = this.listeners;
    if (this.state !== 'ready' || !listeners?.ack) return;
    for (const m of this.network.chat(from)) {
      if (m.direction !== 'out' || this.readIds.has(m.id)) continue;
      this.readIds.add(m.id);
      listeners.ack(m.id, 3);
    }
  }

  private readonly readIds = new Set<string>();

  async catchUp(sinceMs: number): Promise<InboundMessage[]> {
    return this.network.inboundSince(sinceMs);
  }

  async findSent(chatId: string, probe: SentProbe, sinceMs: number, exclude: ReadonlySet<string>): Promise<string | null> {
    if (this.state !== 'ready') throw new SendError('WhatsApp is not connected.', true);
    return this.network.findOut(chatId, probe, sinceMs, exclude);
  }

  async downloadMedia(messageId: string): Promise<DownloadedMedia | null> {
    if (this.state !== 'ready') throw new SendError('WhatsApp is not connected.', true);
    return this.network.media(messageId);
  }
}
