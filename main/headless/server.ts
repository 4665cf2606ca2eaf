import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerEvent } from '../../shared/events.js';
import type { Core } from '../core/app.js';
import { takeSessionTokens } from '../core/auth/grant.js';
import type { Principal } from '../core/dispatch.js';
import { visibleTo } from '../core/events.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerBackupRoutes } from './backup-routes.js';
import { registerMonitoringRoutes } from './monitoring-routes.js';
import { callContextOf, REFRESH_COOKIE_PATH, refreshCookieName, sendError } from './http.js';
import { SECURITY_HEADERS } from './security-headers.js';

export interface ServerOptions {
  /** the built screens (dist/renderer); when missing, `/` explains how to build them */
  rendererDir?: string;
  trustProxy?: boolean;
  /** how often the event stream sends a keep-alive comment */
  heartbeatMs?: number;
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
  const secureCookie = core.services.config.publicUrl?.startsWith('https:') ?? false;
  const cookieName = refreshCookieName(secureCookie);
  const cookieOptions = { path: REFRESH_COOKIE_PATH, httpOnly: true, sameSite: 'strict', secure: secureCookie } as const;
  await app.register(fastifyCookie);

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
    const operation = request.params.operation;
    const raw = await core.dispatcher.dispatch(operation, request.body, callContextOf(request, cookieName));
    // the refresh token travels only in the cookie; the screens keep the access token in memory
    const { result, refresh, forget } = takeSessionTokens(operation, raw, { keepAccessToken: true });
    reply.header('cache-control', 'no-store');
    if (refresh) {
      const maxAge = Math.max(0, Math.floor((Date.parse(refresh.expiresAt) - Date.now()) / 1000));
      reply.setCookie(cookieName, refresh.token, { ...cookieOptions, maxAge });
    } else if (forget) {
      reply.clearCookie(cookieName, cookieOptions);
    }
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

  registerBackupRoutes(app, core);
  registerMonitoringRoutes(app, core, {
    token: core.services.config.metricsToken,
    allow: core.services.config.metricsAllow,
  });

  // Open event streams end before the server closes: close() waits for open connections.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
    openStreams.clear();
  });

  // Server-sent events. The token travels in the Authorization header (fetch
  // streaming), never in the URL where proxies would log it.
  app.get('/api/events', async (request, reply) => {
    const call = callContextOf(request);
    const principal = await core.dispatcher.principalOf(call);
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
    let viewer: Principal | null = principal;
    let open = true;
    const deliver = (event: ServerEvent) => {
      if (!open) return;
      if (visibleTo(viewer, event)) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      // a stream belongs to its session: when that ends, so does the stream
      if (event.type === 'auth.session.ended' && principal && event.data.sessionId === principal.sessionId) end();
    };
    // A viewer limited until a temporary password is changed goes on in the same
    // session once it is: while limited, the door is asked again before each event,
    // and events wait in order for its answer.
    let waiting = 0;
    let inOrder = Promise.resolve();
    const unsubscribe = core.services.events.subscribe((event) => {
      if (!viewer?.allowedOperations && waiting === 0) return deliver(event);
      waiting++;
      inOrder = inOrder.then(async () => {
        if (viewer?.allowedOperations) viewer = (await core.dispatcher.principalOf(call)) ?? viewer;
        waiting--;
        deliver(event);
      });
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs ?? 25_000);
    const close = () => {
      open = false;
      clearInterval(heartbeat);
      unsubscribe();
    };
    const end = () => {
      close();
      res.end();
    };
    openStreams.add(end);
    request.raw.on('close', () => {
      openStreams.delete(end);
      close();
    });
  });

  registerAuditRoutes(app, core, { callContextOf, sendError });

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
