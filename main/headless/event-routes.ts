import type { FastifyInstance } from 'fastify';
import type { ServerEvent } from '../../shared/events.js';
import type { Core } from '../core/app.js';
import type { Principal } from '../core/dispatch.js';
import { visibleTo } from '../core/events.js';
import { callContextOf } from './http.js';
import { SECURITY_HEADERS } from './security-headers.js';

/**
 * `GET /api/events`: server-sent events for the screens, each one only where
 * `visibleTo` allows. The token travels in the Authorization header (fetch
 * streaming), never in the URL where proxies would log it. A stream belongs to its
 * session: when that session ends, so does the stream.
 */
export function registerEventRoutes(app: FastifyInstance, core: Core, options: { heartbeatMs?: number } = {}): void {
  // open streams end before the server closes: close() waits for open connections
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
    openStreams.clear();
  });

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
}
