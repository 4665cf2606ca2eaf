import type { ApiError } from '../../../shared/errors.js';
import type { ServerEvent } from '../../../shared/events.js';
import { eventsOf } from '../../../shared/sse.js';
import { ApiCallError, type Api } from './api.js';

export interface HttpApi extends Api {
  /** the access token, kept in memory only */
  setAccessToken(token: string | null): void;
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { error?: ApiError };
    if (body.error) return body.error;
  } catch {
    // not an envelope
  }
  return { code: 'internal', message: `LexDesk answered with an unexpected response (${response.status}).` };
}

/** The name in `Content-Disposition` (the UTF-8 form when there is one). */
function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1]!);
    } catch {
      // fall back to the plain name
    }
  }
  return /filename="([^"]*)"/i.exec(header)?.[1] ?? null;
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

  /** A File as the raw body of an upload route: the browser streams it from the disk. */
  async function sendFile(url: string, file: File): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { ...headers(), 'content-type': file.type || 'application/octet-stream' }, body: file });
    } catch {
      throw new ApiCallError({ code: 'internal', message: 'The file could not be sent to LexDesk. Check the network and try again.' });
    }
    const body = (await response.json().catch(() => null)) as { ok: boolean; value?: unknown; error?: ApiError } | null;
    if (body?.ok) return body.value;
    throw new ApiCallError(body?.error ?? { code: 'internal', message: `LexDesk answered with an unexpected response (${response.status}).` });
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
    files: {
      async fetch(documentId, disposition) {
        let response: Response;
        try {
          response = await fetch(`${base}/api/documents/${documentId}/content?disposition=${disposition}`, { headers: headers() });
        } catch {
          throw new ApiCallError({ code: 'internal', message: 'LexDesk cannot be reached. Check the network and try again.' });
        }
        if (!response.ok) throw new ApiCallError(await errorOf(response));
        const type = response.headers.get('content-type') ?? 'application/octet-stream';
        const fileName = fileNameOf(response.headers.get('content-disposition')) ?? 'document';
        return { blob: new Blob([await response.arrayBuffer()], { type }), fileName };
      },
      async upload(target, file) {
        if (!file) return null;
        const params = new URLSearchParams({ ...('conversationId' in target ? { conversationId: String(target.conversationId) } : { matterId: String(target.matterId) }), fileName: file.name });
        return (await sendFile(`${base}/api/documents/upload?${params}`, file)) as never;
      },
      async uploadImport(file) {
        if (!file) return null;
        return (await sendFile(`${base}/api/imports/upload?${new URLSearchParams({ fileName: file.name })}`, file)) as never;
      },
      async uploadChat(target, file) {
        if (!file) return null;
        const params = new URLSearchParams({ clientId: String(target.clientId), fileName: file.name, ...(target.language ? { language: target.language } : {}) });
        return (await sendFile(`${base}/api/imports/chat-upload?${params}`, file)) as never;
      },
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
