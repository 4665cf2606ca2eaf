import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/core/clock.js';
import { loadConfig } from '../../main/core/config.js';
import { silentLogger } from '../../main/core/log.js';
import { SIM_PART_BYTES, SimulatorNetwork } from '../../main/core/whatsapp/simulator.js';
import type { DownloadedMedia } from '../../main/core/whatsapp/transport.js';
import { BASE64_SLICE_CHARS, WwebjsTransport, toInbound } from '../../main/core/whatsapp/wwebjs.js';
import { startTestCore, type TestCore } from '../support/core.js';
import { doorAs } from '../support/door.js';
import { FakeFactory, mediaMessage, message } from '../support/fake-wwebjs.js';
import { tempDir } from '../support/server.js';

const FAST = {
  LEXDESK_WHATSAPP: 'whatsapp-web',
  LEXDESK_WHATSAPP_RECONNECT_MIN_MS: '20',
  LEXDESK_WHATSAPP_RECONNECT_MAX_MS: '100',
  LEXDESK_WHATSAPP_WATCHDOG_MS: '5000',
  LEXDESK_WHATSAPP_CHAT_SPACING_MS: '0',
};
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n'), randomBytes(300_000)]);
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
// an Ogg page header (voice notes are Ogg/Opus)
const OGG = Buffer.concat([Buffer.from('OggS\0\x02', 'latin1'), Buffer.alloc(22), Buffer.from('OpusHead\x01\x01', 'latin1'), randomBytes(5000)]);
const CHAT = '5511987654321@c.us';
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let core: TestCore | null = null;
afterEach(async () => {
  await core?.dispose();
  core = null;
});

async function until<T>(fn: () => T, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A core whose WhatsApp is the real adapter over a fake Client, with the bot answering. */
async function coreWithFake(options: { withoutBot?: boolean } = {}) {
  const factory = new FakeFactory();
  const dataDir = tempDir();
  const config = loadConfig({ face: 'headless', env: { LEXDESK_DATA_DIR: dataDir, ...FAST }, envFile: null });
  const transport = new WwebjsTransport(config.whatsapp, silentLogger, factory, { findBrowser: () => '/usr/bin/chromium' });
  core = await startTestCore({
    dataDir,
    env: FAST,
    deps: { whatsappTransport: transport, withoutBot: options.withoutBot, documents: { media: { retryDelaysMs: [20, 40, 80], readyWaitMs: 2000 } } },
  });
  const client = await until(() => factory.clients[0], (c) => !!c?.initialized);
  client!.info = { wid: { user: '15550001111' } };
  client!.emit('ready');
  await until(() => core!.services.whatsapp.status().state, (s) => s === 'ready');
  return { core, client: client! };
}

const inbound = (c: TestCore, waId: string) =>
  c.services.store.sqlite.prepare('SELECT media_state, media_document_id, media_error, media_attempts FROM whatsapp_inbound WHERE wa_id = ?').get(waId) as
    | { media_state: string; media_document_id: number | null; media_error: string | null; media_attempts: number }
    | undefined;

describe('inbound media through the whatsapp-web.js adapter', () => {
  it('a PDF, a photo and a voice note are downloaded at once, stored, and named by their messages', async () => {
    const { core, client } = await coreWithFake({ withoutBot: true });
    const pdf = mediaMessage({ id: 'false_5511987654321@c.us_PDF1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: PDF, filename: 'contrato.pdf' });
    const photo = mediaMessage({ id: 'false_5511987654321@c.us_IMG1', from: CHAT, type: 'image', mimetype: 'image/png', data: PNG, caption: 'my ID' });
    const voice = mediaMessage({ id: 'false_5511987654321@c.us_PTT1', from: CHAT, type: 'ptt', mimetype: 'audio/ogg; codecs=opus', data: OGG });
    for (const m of [pdf, photo, voice]) client.emit('message', m);
    for (const m of [pdf, photo, voice]) await until(() => inbound(core, m.id._serialized)?.media_state, (s) => s === 'stored');
    // downloaded once each, when the message arrived
    expect([pdf.downloads, photo.downloads, voice.downloads]).toEqual([1, 1, 1]);
    const docs = core.services.store.sqlite.prepare('SELECT file_name, declared_type, detected_type, size, sha256, source, wa_id FROM documents ORDER BY file_name').all();
    expect(docs).toEqual([
      { file_name: 'contrato.pdf', declared_type: 'application/pdf', detected_type: 'application/pdf', size: PDF.length, sha256: createHash('sha256').update(PDF).digest('hex'), source: 'client', wa_id: pdf.id._serialized },
      expect.objectContaining({ file_name: 'photo.png', detected_type: 'image/png', source: 'client' }),
      expect.objectContaining({ file_name: 'voice-note.ogg', declared_type: 'audio/ogg', detected_type: 'audio/ogg', source: 'client' }),
    ]);
    const stored = core.services.whatsapp.ledger.get(photo.id._serialized)!;
    expect(stored.text).toBe('my ID');
    expect(stored.media).toMatchObject({ state: 'stored', mimetype: 'image/png' });
    expect((await core.services.documents.store.readAll(stored.media!.documentId!)).data.equals(PNG)).toBe(true);
  });

  it('a large file arrives byte for byte as the client sent it', async () => {
    const { core, client } = await coreWithFake({ withoutBot: true });
    // several slices of the library's base64, and not a whole number of them
    const scan = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(Math.ceil((BASE64_SLICE_CHARS * 7.5 * 3) / 4))]);
    const big = mediaMessage({ id: 'false_5511987654321@c.us_BIG1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: scan, filename: 'scan.pdf' });
    client.emit('message', big);
    const row = await until(() => inbound(core, big.id._serialized), (r) => r?.media_state === 'stored');
    const doc = core.services.documents.store.get(row!.media_document_id!)!;
    expect({ size: doc.size, sha256: doc.sha256 }).toEqual({ size: scan.length, sha256: sha256(scan) });
    expect(sha256((await core.services.documents.store.readAll(doc.id)).data)).toBe(sha256(scan));
  });

  it('stickers and reactions are not documents', () => {
    const sticker = mediaMessage({ id: 'false_x@c.us_S', from: CHAT, type: 'sticker', mimetype: 'image/webp', data: PNG });
    expect(toInbound(sticker)).toBeNull();
    expect(toInbound({ ...message({ id: 'false_x@c.us_R', from: CHAT, body: '👍' }), type: 'reaction' })).toBeNull();
  });

  it('a failed download is retried with back-off, and after the last try staff see that it could not be fetched', async () => {
    const { core, client } = await coreWithFake({ withoutBot: true });
    const flaky = mediaMessage({ id: 'false_5511987654321@c.us_F1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: PDF, filename: 'a.pdf', failFirst: 2 });
    client.getMessageById = async (id) => (id === flaky.id._serialized ? flaky : null);
    client.emit('message', flaky);
    await until(() => inbound(core, flaky.id._serialized)?.media_state, (s) => s === 'stored');
    expect(flaky.downloads).toBe(3);

    const gone = mediaMessage({ id: 'false_5511987654321@c.us_G1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: PDF, filename: 'b.pdf', failFirst: 99 });
    client.getMessageById = async (id) => (id === gone.id._serialized ? gone : null);
    client.emit('message', gone);
    const row = await until(() => inbound(core, gone.id._serialized), (r) => r?.media_state === 'failed');
    expect(row).toMatchObject({ media_error: 'The file could not be fetched from WhatsApp. Ask the client to send it again.', media_attempts: 4 });
    // the message itself is kept: nothing in the conversation is lost
    expect(core.services.whatsapp.ledger.get(gone.id._serialized)).not.toBeNull();
  });

  it('a truncated download, a program and a file over the limit never become documents', async () => {
    const { core, client } = await coreWithFake({ withoutBot: true });
    const cut = mediaMessage({ id: 'false_5511987654321@c.us_T1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: PDF, filename: 'cut.pdf', truncateTo: 1000 });
    client.getMessageById = async () => cut;
    const exe = mediaMessage({ id: 'false_5511987654321@c.us_E1', from: CHAT, type: 'document', mimetype: 'application/pdf', data: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), randomBytes(400)]), filename: 'invoice.pdf.exe' });
    const huge = mediaMessage({ id: 'false_5511987654321@c.us_H1', from: CHAT, type: 'video', mimetype: 'video/mp4', data: PNG, size: 200 * 1024 * 1024 });
    for (const m of [cut, exe, huge]) client.emit('message', m);
    const rows = await until(
      () => [cut, exe, huge].map((m) => inbound(core, m.id._serialized)),
      (rs) => rs.every((r) => r?.media_state === 'failed'),
    );
    expect(rows[0]!.media_error).toBe('The file could not be fetched from WhatsApp. Ask the client to send it again.');
    expect(rows[1]!.media_error).toMatch(/programs and scripts/);
    expect(rows[2]!.media_error).toMatch(/200 MB.*up to 100 MB/);
    expect(huge.downloads).toBe(0);
    expect(core.services.store.sqlite.prepare('SELECT count(*) AS n FROM documents').get()).toEqual({ n: 0 });
  });

  it('the bot says it received the file only once the file is stored; staff see the document in the thread', async () => {
    const { core, client } = await coreWithFake();
    client.emit('message', message({ id: 'false_5511987654321@c.us_H0', from: CHAT, body: 'hello' }));
    await until(() => client.sent.length, (n) => n >= 1);
    const slow = mediaMessage({ id: 'false_5511987654321@c.us_P2', from: CHAT, type: 'document', mimetype: 'application/pdf', data: PDF, filename: 'contrato.pdf' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const original = slow.downloadMedia;
    slow.downloadMedia = async () => {
      await gate;
      return original();
    };
    const before = client.sent.length;
    client.emit('message', slow);
    await new Promise((r) => setTimeout(r, 300));
    // still downloading: nothing said yet
    expect(client.sent.length).toBe(before);
    release();
    await until(() => client.sent.length, (n) => n > before);
    expect(String(client.sent.at(-1)!.content)).toContain('we received your file "contrato.pdf"');

    const assistant = doorAs(core, 'assistant');
    const { items } = await assistant.ok<{ items: { id: number }[] }>('inbox.list', {});
    const thread = await assistant.ok<{ messages: { document: { fileName: string; preview: string; source: string } | null }[] }>('inbox.thread', { conversationId: items[0]!.id });
    expect(thread.messages.find((m) => m.document)?.document).toMatchObject({ fileName: 'contrato.pdf', preview: 'pdf', source: 'client' });

    // a file that cannot be fetched: the client is asked to send it again, staff see why
    const gone = mediaMessage({ id: 'false_5511987654321@c.us_G2', from: CHAT, type: 'image', mimetype: 'image/jpeg', data: PNG, filename: 'id.jpg', failFirst: 99 });
    const n = client.sent.length;
    client.emit('message', gone);
    await until(() => client.sent.length, (k) => k > n);
    expect(String(client.sent.at(-1)!.content)).toContain('did not reach us');
    const again = await assistant.ok<{ messages: { mediaError: string | null }[] }>('inbox.thread', { conversationId: items[0]!.id });
    expect(again.messages.at(-2)?.mediaError ?? again.messages.find((m) => m.mediaError)?.mediaError).toMatch(/could not be fetched/);
  });
});

describe('inbound media through the simulator', () => {
  it('a large file arrives in the document store byte for byte as the client sent it', async () => {
    core = await startTestCore({ deps: { withoutBot: true } });
    const simulator = core.services.whatsapp.simulator!;
    await until(() => core!.services.whatsapp.status().state, (s) => s === 'ready');
    // many of the simulator's parts, the last one partial
    const scan = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(SIM_PART_BYTES * 40 + 12_345)]);
    const message = simulator.clientSend('5511987654321', 'Ana', 'my lease', { fileName: 'lease.pdf', mimetype: 'application/pdf', data: scan });
    await core.services.whatsapp.media.settled(message);
    const row = inbound(core, message.id)!;
    expect(row).toMatchObject({ media_state: 'stored', media_attempts: 1 });
    const doc = core.services.documents.store.get(row.media_document_id!)!;
    expect(doc).toMatchObject({ file_name: 'lease.pdf', detected_type: 'application/pdf', size: scan.length, sha256: sha256(scan), source: 'client', wa_id: message.id });
    expect(sha256((await core.services.documents.store.readAll(doc.id)).data)).toBe(sha256(scan));
  });

  it('a download that stalls is given up after the download timeout and tried again', async () => {
    core = await startTestCore({ deps: { withoutBot: true, documents: { media: { retryDelaysMs: [20, 40], downloadTimeoutMs: 300 } } } });
    const simulator = core.services.whatsapp.simulator!;
    await until(() => core!.services.whatsapp.status().state, (s) => s === 'ready');
    const network = simulator.network;
    const original = network.media.bind(network);
    let downloads = 0;
    network.media = (id: string): DownloadedMedia | null => {
      const media = original(id);
      if (!media || ++downloads > 1) return media;
      // the first download hands over one part, then nothing more comes
      return {
        ...media,
        chunks: (async function* () {
          for await (const part of media.chunks) {
            yield part;
            await new Promise(() => undefined);
          }
        })(),
      };
    };
    const scan = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(SIM_PART_BYTES * 3)]);
    const message = simulator.clientSend('5511987654321', 'Ana', '', { fileName: 'id.pdf', mimetype: 'application/pdf', data: scan });
    await core.services.whatsapp.media.settled(message);
    expect(inbound(core, message.id)).toMatchObject({ media_state: 'stored', media_attempts: 2 });
    expect(downloads).toBe(2);
    const doc = core.services.documents.store.get(inbound(core, message.id)!.media_document_id!)!;
    expect(doc.sha256).toBe(sha256(scan));
    // the stalled try left no partial file behind
    expect(readdirSync(join(core.services.documents.store.dir, '.incoming'))).toEqual([]);
  });

  it('a file an earlier simulator kept in one piece is still handed over whole', async () => {
    // the simulated network's file as an earlier version left it: the file in one BLOB, no parts
    const file = join(tempDir(), 'simulator.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE sim_messages (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, chat_id TEXT NOT NULL, direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      name TEXT, body TEXT, file_name TEXT, mimetype TEXT, document BLOB, at INTEGER NOT NULL) STRICT`);
    const scan = randomBytes(SIM_PART_BYTES * 2 + 7);
    old.prepare(`INSERT INTO sim_messages (id, chat_id, direction, file_name, mimetype, document, at) VALUES ('false_old', ?, 'in', 'old.pdf', 'application/pdf', ?, 0)`).run(CHAT, scan);
    old.close();
    const network = new SimulatorNetwork(file, systemClock);
    try {
      expect(network.inboundSince(0).map((m) => m.media)).toEqual([{ mimetype: 'application/pdf', fileName: 'old.pdf', size: scan.length }]);
      const media = network.media('false_old')!;
      const pieces: Buffer[] = [];
      for await (const piece of media.chunks) pieces.push(piece);
      expect(pieces.length).toBeGreaterThan(1);
      expect(sha256(Buffer.concat(pieces))).toBe(sha256(scan));
      // and a file it is sent now is kept in parts beside it
      const fresh = randomBytes(1000);
      const sent = network.clientSend('5511987654321', 'Ana', '', { fileName: 'new.pdf', mimetype: 'application/pdf', data: fresh });
      expect((await network.readFile(sent.id))!.data.equals(fresh)).toBe(true);
    } finally {
      network.close();
    }
  });
});
