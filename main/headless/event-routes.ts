import type { FastifyInstance } from 'fastify';
import type { ServerEvent } from '../../shared/events.js';
import type { Core } from '../core/app.js';
import type { Principal } from '../core/dispatch.js';
import { visibleTo } from '../core/events.js';
import { clientKey } from '../core/net/addresses.js';
import { callContextOf, sendError } from './http.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * `GET /api/events`: server-sent events for the screens, each one only where
 * `visibleTo` allows. The token travels in the Authorization header (fetch
 * streaming), never in the URL where proxies would log it. A stream belongs to its
 * session: when that session ends, so does the stream. A user may have at most
 * `perUser` streams open (and an address as many without a sign-in); one more is
 * refused with `rate_limited`.
 */
export function registerEventRoutes(
  app: FastifyInstance,
  core: Core,
  options: { heartbeatMs?: number; perUser?: number; headers?: Record<string, string> } = {},
): void {
  const perUser = options.perUser ?? 8;
  const headers = options.headers ?? SECURITY_HEADERS;
  const streamsBy = new Map<string, number>();
  // open streams end before the server closes: close() waits for open connections
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
    openStreams.clear();
  });

  app.get('/api/events', async (request, reply) => {
    const call = callContextOf(request);
    const principal = await core.dispatcher.principalOf(call);
    const owner = principal ? `user:${principal.userId}` : `address:${clientKey(call.address) ?? 'unknown'}`;
    const open = streamsBy.get(owner) ?? 0;
    if (open >= perUser) {
      return sendError(reply, {
        code: 'rate_limited',
        message: 'Too many LexDesk windows are open for this account. Close some and try again.',
        details: { retryAfterSeconds: 10 },
      });
    }
    streamsBy.set(owner, open + 1);
    const release = () => {
      const left = (streamsBy.get(owner) ?? 1) - 1;
      if (left > 0) streamsBy.set(owner, left);
      else streamsBy.delete(owner);
    };
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`: connected${principal ? ` as ${principal.username}` : ''}\n\n`);

    let viewer: Principal | null = principal;
    let live = true;
    const deliver = (event: ServerEvent) => {
      if (!live) return;
      if (visibleTo(viewer, event)) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
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
      if (live) release();
      live = false;
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
}
