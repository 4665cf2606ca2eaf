import { Readable } from 'node:stream';
import type { DocumentItem } from '../../../shared/contract/documents.js';
import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SecretStore } from '../secrets.js';
import { MediaRefused, type MediaSink } from '../whatsapp/media.js';
import type { DocumentReader } from '../whatsapp/sender.js';
import type { DownloadedMedia, InboundMessage } from '../whatsapp/transport.js';
import { DocumentKeys } from './keys.js';
import { DocumentStore, type DocumentRow, type DocumentStoreHooks } from './store.js';
import { judge } from './types.js';

export interface DocumentServiceDeps {
  dir: string;
  maxBytes: number;
  secrets: SecretStore;
  store: () => Store;
  clock: Clock;
  log: Logger;
  hooks?: DocumentStoreHooks;
}

/** A stored document as the contract shows it. */
export function toItem(row: DocumentRow): DocumentItem {
  const { preview, mismatch } = judge(row.detected_type, row.declared_type);
  return {
    id: row.id,
    fileName: row.file_name,
    mimetype: row.declared_type,
    detectedType: row.detected_type,
    size: row.size,
    sha256: row.sha256,
    source: row.source,
    createdAt: row.created_at,
    createdBy: row.created_by,
    conversationId: row.conversation_id,
    matterId: row.matter_id,
    preview,
    mismatch,
  };
}

/**
 * The documents capability: the store, and its two ports to the WhatsApp link
 * (where clients' files go, where documents to send are read).
 */
export class DocumentService {
  readonly name = 'documents';
  readonly store: DocumentStore;
  readonly keys: DocumentKeys;

  constructor(private readonly deps: DocumentServiceDeps) {
    this.keys = new DocumentKeys(deps.secrets);
    this.store = new DocumentStore({
      dir: deps.dir,
      maxBytes: deps.maxBytes,
      keys: this.keys,
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      hooks: deps.hooks,
    });
    (this.sink as { maxBytes: number }).maxBytes = deps.maxBytes;
  }

  async start(): Promise<void> {
    await this.store.start();
  }

  stop(): void {}

  /** After a restore: documents of an older backup still kept as BLOBs move into the store. */
  async resume(): Promise<void> {
    await this.store.moveLegacyBlobs();
  }

  /** Where the WhatsApp link puts a client's file: the store, with the message it came with. */
  readonly sink: MediaSink = {
    maxBytes: 0,
    store: async (message: InboundMessage, media: DownloadedMedia): Promise<number> => {
      const db = this.deps.store();
      const existing = db.get(db.db.selectFrom('documents').select('id').where('wa_id', '=', message.id));
      if (existing) return existing.id;
      let blob;
      // one piece at a time as the download hands them over: a large file is never whole in memory
      const source = Readable.from(media.chunks, { objectMode: false });
      try {
        blob = await this.store.write(source, {
          fileName: media.fileName ?? message.media?.fileName ?? null,
          declaredType: message.media?.mimetype ?? media.mimetype,
          expectedSize: message.media?.size ?? media.size,
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'invalid_input') {
          const reason = (err.details as { reason?: string } | undefined)?.reason;
          // a cut-short download is worth another try; the rest will not change
          if (reason === 'incomplete') throw err;
          throw new MediaRefused(`The client's file was not kept: ${err.message}`);
        }
        throw err;
      } finally {
        // a refused file is not downloaded to its end
        source.destroy();
      }
      const current = this.deps.store();
      return current.tx(() => {
        const again = current.get(current.db.selectFrom('documents').select('id').where('wa_id', '=', message.id));
        if (again) return again.id;
        const conversation = current.get(current.db.selectFrom('conversations').select(['id', 'client_id']).where('chat_id', '=', message.chatId));
        const client = current.get(current.db.selectFrom('clients').select('id').where('whatsapp', '=', message.from));
        return this.store.insert(blob, {
          source: 'client',
          createdBy: message.pushName ?? `+${message.from}`,
          conversationId: conversation?.id ?? null,
          clientId: conversation?.client_id ?? client?.id ?? null,
          waId: message.id,
        }).id;
      });
    },
  };

  /** Where the outbox reads a document it sends. */
  readonly reader: DocumentReader = {
    read: async (documentId: number) => (await this.store.readAll(documentId)).data,
  };
}
