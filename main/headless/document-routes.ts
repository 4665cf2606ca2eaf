import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/app.js';
import { AppError } from '../core/errors.js';
import { callContextOf, sendError, sendResult } from './http.js';

/** Headers of every document answer: never sniffed, never run, never cached. */
const DOCUMENT_HEADERS = {
  'x-content-type-options': 'nosniff',
  // a document opened straight in a tab can run nothing and load nothing
  'content-security-policy': "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
};

/** RFC 6266: an ASCII fallback and the exact name in UTF-8. */
export function contentDisposition(disposition: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

function numberParam(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  return /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * The document store's HTTP routes besides /api/rpc:
 *
 *   POST /api/documents/upload?conversationId=|matterId=&fileName=   the raw file as the body, streamed
 *        into the store (hashed, type-checked and encrypted on the way); `documents.upload` through the door
 *   GET  /api/documents/:id/content?disposition=inline|attachment    the bytes, after `documents.open` let the
 *        caller in (and recorded it); inline only for images and PDFs whose bytes say so
 *
 * Both take the same bearer token as /api/rpc. The door decides and records;
 * these only carry bytes.
 */
export function registerDocumentRoutes(app: FastifyInstance, core: Core): void {
  app.register(async (scope) => {
    // the body is the file itself: no parser reads it, the handler streams it
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    scope.post('/api/documents/upload', async (request: FastifyRequest, reply: FastifyReply) => {
      const q = request.query as Record<string, string | undefined>;
      const length = request.headers['content-length'];
      const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
      const max = core.services.documents.store.maxBytes;
      if (size !== undefined && size > max) {
        // the body is not read: this connection cannot carry another request
        reply.header('connection', 'close');
        request.raw.resume();
        return sendError(
          reply,
          { code: 'invalid_input', message: `The file is too large: LexDesk takes files up to ${Math.round(max / 1024 / 1024)} MB.`, details: { reason: 'too_large' } },
          413,
        );
      }
      const declared = request.headers['content-type'];
      const fileName = q.fileName ?? decodeFileNameHeader(request.headers['x-file-name']);
      const input = {
        conversationId: numberParam(q.conversationId),
        matterId: numberParam(q.matterId),
        fileName,
        declaredType: typeof declared === 'string' ? declared.slice(0, 200) : undefined,
        size,
      };
      const result = await core.dispatcher.dispatch('documents.upload', input, {
        ...callContextOf(request),
        upload: { stream: request.raw, size, fileName, declaredType: input.declaredType },
      });
      // a refused call never read the body: let the client finish sending before we answer
      if (!request.raw.readableEnded) request.raw.resume();
      reply.header('cache-control', 'no-store');
      return sendResult(reply, result);
    });
  });

  app.get<{ Params: { id: string }; Querystring: { disposition?: string } }>('/api/documents/:id/content', async (request, reply) => {
    const id = numberParam(request.params.id);
    const disposition = request.query.disposition === 'inline' ? 'inline' : 'attachment';
    const result = await core.dispatcher.dispatch('documents.open', { documentId: id, disposition }, callContextOf(request));
    if (!result.ok) return sendError(reply, result.error);
    const { document, contentType } = result.value as { document: { id: number; fileName: string; size: number }; contentType: string };
    let stream;
    try {
      ({ stream } = await core.services.documents.store.open(document.id));
    } catch (err) {
      if (err instanceof AppError) return sendError(reply, { code: err.code, message: err.message });
      core.services.log.error({ err, documentId: document.id }, 'a document could not be read');
      return sendError(reply, { code: 'internal', message: 'The document could not be read from the document store.' });
    }
    stream.on('error', (err) => core.services.log.error({ err, documentId: document.id }, 'a document failed while it was sent'));
    for (const [name, value] of Object.entries(DOCUMENT_HEADERS)) reply.header(name, value);
    return reply
      .header('content-type', contentType)
      .header('content-length', String(document.size))
      .header('content-disposition', contentDisposition(disposition, document.fileName))
      .send(stream);
  });
}

function decodeFileNameHeader(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
