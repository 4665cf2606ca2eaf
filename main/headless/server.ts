import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { EVENT_ACCESS } from '../../shared/events.js';
import { HTTP_STATUS_BY_CODE, type ApiError } from '../../shared/errors.js';
import { roleAllows } from '../../shared/permissions.js';
import type { Core } from '../core/app.js';
import type { CallContext } from '../core/dispatch.js';
import { registerMonitoringRoutes } from './monitoring-routes.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface ServerOptions {
  /** the built screens (dist/renderer); when missing, `/` explains how to build them */
  rendererDir?: string;
  trustProxy?: boolean;
  /** how often the event stream sends a keep-alive comment */
  heartbeatMs?: number;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim() || undefined;
}

export function callContextOf(request: FastifyRequest): CallContext {
  return {
    face: 'headless',
    token: bearer(request),
    address: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 300),
    requestId: request.id,
  };
}

function sendError(reply: FastifyReply, error: ApiError, status = HTTP_STATUS_BY_CODE[error.code]): FastifyReply {
  return reply.code(status).type('application/json').send({ ok: false, error });
}

/**
 * The headless face: HTTP over the dispatch door. No business rule lives here; it
 * translates requests to `dispatch` and results to status codes.
 */
export async function buildServer(core: Core, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    routerOptions: { maxParamLength: 200 },
  });
  const log = core.services.log.child({ component: 'http' });

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    log.debug(
      { method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return sendError(reply, { code: 'invalid_input', message: 'The request is too large.' }, 413);
    }
    if (status >= 400 && status < 500) {
      return sendError(reply, {
        code: 'invalid_input',
        message:
          err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Send the request body as JSON (Content-Type: application/json).'
            : 'The request body is not valid JSON.',
      });
    }
    log.error({ err, url: request.url, requestId: request.id }, 'request failed');
    return sendError(reply, {
      code: 'internal',
      message: `Something went wrong on our side. Reference: ${String(request.id).slice(0, 8)}.`,
    });
  });

  app.post<{ Params: { operation: string } }>('/api/rpc/:operation', async (request, reply) => {
    const result = await core.dispatcher.dispatch(request.params.operation, request.body, callContextOf(request));
    if (!result.ok) return sendError(reply, result.error);
    return reply.type('application/json').send(result);
  });

  app.get('/api/monitoring/health', async (request, reply) => {
    const result = await core.dispatcher.dispatch('system.health', {}, callContextOf(request));
    if (!result.ok) return sendError(reply, result.error);
    const report = result.value as { status: string; version: string; checks: { name: string; status: string }[] };
    const database = report.checks.find((c) => c.name === 'database')?.status ?? 'down';
    return reply.code(database === 'down' ? 503 : 200).send({
      status: report.status,
      version: report.version,
      database,
      checks: report.checks.map(({ name, status }) => ({ name, status })),
    });
  });

  registerMonitoringRoutes(app, core, {
    token: core.services.config.metricsToken,
    allow: core.services.config.metricsAllow,
  });

  // Server-sent events. The token travels in the Authorization header (fetch
  // streaming), never in the URL where proxies would log it.
  app.get('/api/events', async (request, reply) => {
    const principal = await core.dispatcher.principalOf(callContextOf(request));
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`: connected${principal ? ` as ${principal.username}` : ''}\n\n`);
    const unsubscribe = core.services.events.subscribe((event) => {
      const access = EVENT_ACCESS[event.type];
      if (access !== 'public' && !(principal && roleAllows(principal.role, access))) return;
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 25_000);
    const close = () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
    request.raw.on('close', close);
    app.addHook('onClose', async () => {
      close();
      res.end();
    });
  });

  const rendererDir = options.rendererDir;
  const hasRenderer = rendererDir !== undefined && existsSync(join(rendererDir, 'index.html'));
  if (hasRenderer) {
    await app.register(fastifyStatic, { root: rendererDir, wildcard: false, index: ['index.html'] });
  }

  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/') || request.url === '/metrics') {
      return sendError(reply, { code: 'not_found', message: 'There is nothing at this address.' });
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return sendError(reply, { code: 'not_found', message: 'There is nothing at this address.' });
    }
    if (!hasRenderer) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The LexDesk screens are not built. Run `npm run build` (or `npm run serve`, which builds them).');
    }
    // single-page app: every other path is a screen
    return reply.type('text/html; charset=utf-8').sendFile('index.html');
  });

  return app;
}
