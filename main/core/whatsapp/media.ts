import type { Clock } from '../clock.js';
import type { Store } from '../db/store.js';
import type { Logger } from '../log.js';
import type { DownloadedMedia, InboundMessage, Transport } from './transport.js';

/**
 * Where a client's file goes once fetched: the document store, through a port the
 * core plugs in (main/core/documents/inbound.ts). `store` returns the document's
 * id; it throws a `MediaRefused` for a file that must not be kept (a program, an
 * empty or oversized file), which is not retried.
 */
export interface MediaSink {
  readonly maxBytes: number;
  store(message: InboundMessage, media: DownloadedMedia): Promise<number>;
}

export class MediaRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaRefused';
  }
}

export interface MediaFetcherOptions {
  /** waits before the second, third… try (default 2 s, 10 s, 30 s: four tries) */
  retryDelaysMs?: number[];
  /** how long a try waits for the link to be ready before it counts as failed */
  readyWaitMs?: number;
  /** one download may take this long (a 100 MB video on a slow line) */
  downloadTimeoutMs?: number;
}

export const MEDIA_FAILED_MESSAGE = 'The file could not be fetched from WhatsApp. Ask the client to send it again.';

/**
 * Fetches the media of inbound messages into the document store, at once, as
 * they are recorded: the first try uses the message object the transport handed
 * over (`fetchMedia`), later ones ask the transport again by id; a failed try is
 * retried with back-off, and after the last one the ledger row says `failed` with
 * a sentence for staff. The ledger holds a consumer at a message whose media is
 * still pending (`settled`), so the bot acknowledges a file only once it is stored.
 */
export class MediaFetcher {
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = false;
  counts = { stored: 0, failed: 0, retries: 0 };

  constructor(
    private readonly deps: {
      store: () => Store;
      clock: Clock;
      log: Logger;
      sink: MediaSink | null;
      transport: () => Transport;
      ready: () => boolean;
      options?: MediaFetcherOptions;
    },
  ) {}

  /** Starts fetching a just-recorded message's media (no-op without media or when already under way). */
  fetch(message: InboundMessage): Promise<void> {
    if (!message.media) return Promise.resolve();
    const running = this.inFlight.get(message.id);
    if (running) return running;
    const job = this.run(message)
      .catch((err: unknown) => {
        // the row stays pending (a full disk, a closed database): the next `settled` fetches it again
        this.deps.log.warn({ err, waId: message.id }, 'a client\'s file could not be recorded; it is fetched again later');
      })
      .finally(() => this.inFlight.delete(message.id));
    this.inFlight.set(message.id, job);
    return job;
  }

  /**
   * Resolves once the media of message `waId` is stored or failed. A pending row
   * with no fetch under way (left by a crash) is fetched again through the transport.
   */
  settled(message: InboundMessage): Promise<void> {
    return this.inFlight.get(message.id) ?? this.fetch(message);
  }

  stop(): void {
    this.stopped = true;
  }

  start(): void {
    this.stopped = false;
  }

  private async run(message: InboundMessage): Promise<void> {
    const { sink } = this.deps;
    const delays = this.deps.options?.retryDelaysMs ?? [2000, 10_000, 30_000];
    if (!sink) return this.settle(message.id, { state: 'failed', error: 'LexDesk keeps no files here.' });
    if (message.media?.size && message.media.size > sink.maxBytes) {
      return this.settle(message.id, {
        state: 'failed',
        error: `The client sent a file of ${Math.round(message.media.size / 1024 / 1024)} MB; LexDesk takes files up to ${Math.round(sink.maxBytes / 1024 / 1024)} MB. Ask for a smaller file or another way to send it.`,
      });
    }
    let lastError = '';
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (this.stopped) return;
      if (attempt > 0) {
        this.counts.retries++;
        await sleep(delays[attempt - 1]!);
        if (this.stopped) return;
      }
      this.bumpAttempts(message.id);
      try {
        await this.waitReady();
        // the message object as it arrived first; by id afterwards (its handle may have gone stale)
        const fetchOnce = attempt === 0 && message.fetchMedia ? message.fetchMedia : () => this.deps.transport().downloadMedia(message.id);
        const deadline = performance.now() + (this.deps.options?.downloadTimeoutMs ?? 10 * 60_000);
        const media = await withTimeout(fetchOnce(), deadline - performance.now());
        if (!media || media.size === 0) throw new Error('WhatsApp gave no file');
        // the file goes into the store as it comes; a download that breaks off, stalls or falls short fails the try
        const documentId = await sink.store(message, { ...media, chunks: checked(media.chunks, message.media?.size ?? null, deadline) });
        this.counts.stored++;
        return this.settle(message.id, { state: 'stored', documentId });
      } catch (err) {
        if (err instanceof MediaRefused) {
          this.counts.failed++;
          return this.settle(message.id, { state: 'failed', error: err.message });
        }
        lastError = String((err as Error)?.message ?? err).slice(0, 300);
        this.deps.log.warn({ err, waId: message.id, attempt: attempt + 1 }, 'a client\'s file could not be fetched; trying again');
      }
    }
    this.counts.failed++;
    this.deps.log.error({ waId: message.id, lastError }, 'a client\'s file could not be fetched after the last try');
    return this.settle(message.id, { state: 'failed', error: MEDIA_FAILED_MESSAGE });
  }

  private async waitReady(): Promise<void> {
    // monotonic: a wall clock set back or forward neither stretches nor cuts the wait
    const until = performance.now() + (this.deps.options?.readyWaitMs ?? 60_000);
    while (!this.deps.ready()) {
      if (this.stopped) throw new Error('stopping');
      if (performance.now() > until) throw new Error('WhatsApp is not connected');
      await sleep(250);
    }
  }

  private bumpAttempts(waId: string): void {
    const store = this.deps.store();
    if (!store.isOpen) return;
    store.run(store.db.updateTable('whatsapp_inbound').set((eb) => ({ media_attempts: eb('media_attempts', '+', 1) })).where('wa_id', '=', waId));
  }

  private settle(waId: string, outcome: { state: 'stored'; documentId: number } | { state: 'failed'; error: string }): void {
    const store = this.deps.store();
    store.run(
      store.db
        .updateTable('whatsapp_inbound')
        .set({
          media_state: outcome.state,
          media_document_id: outcome.state === 'stored' ? outcome.documentId : null,
          media_error: outcome.state === 'failed' ? outcome.error : null,
        })
        .where('wa_id', '=', waId)
        .where('media_state', '=', 'pending'),
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The pieces of a download as they come, counted: it fails when nothing came, when
 * fewer bytes came than WhatsApp announced, or when the next piece is not there by
 * `deadline` (performance.now() time).
 */
async function* checked(chunks: AsyncIterable<Buffer>, announced: number | null, deadline: number): AsyncGenerator<Buffer> {
  const pieces = chunks[Symbol.asyncIterator]();
  let bytes = 0;
  let done = false;
  try {
    for (;;) {
      const next = await withTimeout(pieces.next(), deadline - performance.now());
      if (next.done) break;
      bytes += next.value.length;
      yield next.value;
    }
    done = true;
  } finally {
    // a download given up on (a refused file, a failed write, a stall) stops reading; a stalled read is not waited for
    if (!done) void Promise.resolve(pieces.return?.()).catch(() => undefined);
  }
  if (bytes === 0) throw new Error('WhatsApp gave no file');
  if (announced && bytes < announced) throw new Error(`the download was cut short (${bytes} of ${announced} bytes)`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the download timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
