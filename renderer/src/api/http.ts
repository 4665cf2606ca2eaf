import type { ApiError } from '../../../shared/errors.js';
import type { ServerEvent } from '../../../shared/events.js';
import { eventsOf } from '../../../shared/sse.js';
import { ApiCallError, type Api } from './api.js';

export interface HttpApi extends Api {
  /** the access token, kept in memory only */
  setAccessToken(token: string | null): void;
}

/** The headless face over fetch; events over a streamed GET (server-sent events). */
export function createHttpApi(base = ''): HttpApi {
  let accessToken: string | null = null;
  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
  });

  const listeners = new Set<(event: ServerEvent) => void>();
  let stream: AbortController | null = null;

  async function runStream(controller: AbortController): Promise<void> {
    let delay = 1000;
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`${base}/api/events`, { headers: headers(), signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        delay = 1000;
        for await (const data of eventsOf(response.body)) {
          const event = JSON.parse(data) as ServerEvent;
          for (const listener of [...listeners]) listener(event);
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  }

  function restartStream(): void {
    stream?.abort();
    stream = null;
    if (listeners.size === 0) return;
    stream = new AbortController();
    void runStream(stream);
  }

  return {
    transport: 'http',
    setAccessToken(token) {
      if (token === accessToken) return;
      const identityChanged = (token === null) !== (accessToken === null);
      accessToken = token;
      // the stream carries the viewer's identity: reopen it when that changes
      if (identityChanged) restartStream();
    },
    async call(name, input) {
      let response: Response;
      try {
        response = await fetch(`${base}/api/rpc/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: headers(),
          body: JSON.stringify(input ?? {}),
          credentials: 'same-origin',
        });
      } catch {
        throw new ApiCallError({ code: 'internal', message: 'LexDesk cannot be reached. Check the network and try again.' });
      }
      let body: { ok: boolean; value?: unknown; error?: ApiError };
      try {
        body = (await response.json()) as typeof body;
      } catch {
        throw new ApiCallError({ code: 'internal', message: `LexDesk answered with an unexpected response (${response.status}).` });
      }
      if (body.ok) return body.value as never;
      throw new ApiCallError(body.error ?? { code: 'internal', message: 'Unknown error.' });
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) restartStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) restartStream();
      };
    },
  };
}
