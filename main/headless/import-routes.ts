import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core/app.js';
import { MAX_CHAT_UPLOAD_BYTES, MAX_UPLOAD_BYTES } from '../core/imports/handlers.js';
import { callContextOf, sendError, sendResult } from './http.js';

/**
 * POST /api/imports/upload?fileName=   a list of parties (CSV or JSON) as the raw body, streamed into
 * <data>/imports/uploads (at most 50 MB); `imports.upload` through the door, which checks the caller
 * before a byte is kept.
 * POST /api/imports/chat-upload?clientId=&fileName=&language=   a chat a phone exported (.txt or .zip with
 * its media, at most 2 GB), streamed the same way; `imports.chatUpload`.
 * Same bearer token as /api/rpc.
 */
export function registerImportRoutes(app: FastifyInstance, core: Core): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

    scope.post('/api/imports/upload', async (request: FastifyRequest, reply: FastifyReply) => {
      const q = request.query as Record<string, string | undefined>;
      const length = request.headers['content-length'];
      const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
      if (size !== undefined && size > MAX_UPLOAD_BYTES) {
        reply.header('connection', 'close');
        request.raw.resume();
        return sendError(
          reply,
          { code: 'invalid_input', message: 'The file is larger than 50 MB: split it into smaller files and import each.', details: { reason: 'too_large' } },
          413,
        );
      }
      const fileName = typeof q.fileName === 'string' ? q.fileName.slice(0, 1000) : undefined;
      const result = await core.dispatcher.dispatch('imports.upload', { fileName, size }, { ...callContextOf(request), upload: { stream: request.raw, size, fileName } });
      if (!request.raw.readableEnded) request.raw.resume();
      reply.header('cache-control', 'no-store');
      return sendResult(reply, result);
    });

    scope.post('/api/imports/chat-upload', async (request: FastifyRequest, reply: FastifyReply) => {
      const q = request.query as Record<string, string | undefined>;
      const length = request.headers['content-length'];
      const size = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
      if (size !== undefined && size > MAX_CHAT_UPLOAD_BYTES) {
        reply.header('connection', 'close');
        request.raw.resume();
        return sendError(reply, { code: 'invalid_input', message: 'The exported chat is larger than 2 GB.', details: { reason: 'too_large' } }, 413);
      }
      const clientId = typeof q.clientId === 'string' && /^\d{1,15}$/.test(q.clientId) ? Number(q.clientId) : Number.NaN;
      const fileName = typeof q.fileName === 'string' ? q.fileName.slice(0, 1000) : undefined;
      const language = typeof q.language === 'string' && q.language ? q.language : undefined;
      const result = await core.dispatcher.dispatch(
        'imports.chatUpload',
        { clientId, fileName, size, ...(language ? { language } : {}) },
        { ...callContextOf(request), upload: { stream: request.raw, size, fileName } },
      );
      if (!request.raw.readableEnded) request.raw.resume();
      reply.header('cache-control', 'no-store');
      return sendResult(reply, result);
    });
  });
}
