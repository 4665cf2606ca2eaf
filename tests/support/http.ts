import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { takeEvents } from '../../shared/sse.js';
import type { ServerEvent } from '../../shared/events.js';
import type { Core } from '../../main/core/app.js';
import { buildServer, type ServerOptions } from '../../main/headless/server.js';

export interface HttpFace {
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  base: string;
  port: number;
}

/**
 * The headless face of `core` (buildServer, in this process) listening on an
 * ephemeral loopback port. Close `app` after the test.
 *
 *   const { app, base } = await serveHttp(core);
 */
export async function serveHttp(core: Core, options: ServerOptions = {}): Promise<HttpFace> {
  const app = await buildServer(core, options);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, port };
}

export interface EventReader {
  /** every event received so far, in order */
  events: ServerEvent[];
  /** resolves once the server has sent the stream's first line */
  connected: Promise<void>;
  /** resolves when the server ends the stream */
  ended: Promise<void>;
  stop(): Promise<void>;
}

/** Reads `GET /api/events` as `token` (or nobody) receives it, until stopped or ended by the server. */
export function readEvents(base: string, token?: string): EventReader {
  const events: ServerEvent[] = [];
  const controller = new AbortController();
  let onConnected!: () => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const ended = (async () => {
    const response = await fetch(`${base}/api/events`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: controller.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      if (buffer.includes(': connected')) onConnected();
      const taken = takeEvents(buffer);
      buffer = taken.rest;
      for (const data of taken.data) events.push(JSON.parse(data) as ServerEvent);
    }
  })().catch(() => {});
  return {
    events,
    connected,
    ended,
    async stop() {
      controller.abort();
      await ended;
    },
  };
}

export interface RawResponse {
  status: number;
  /** header names in lower case */
  headers: Record<string, string>;
  body: string;
  /** the whole answer as it came off the socket */
  text: string;
}

/**
 * Writes `request` to the server's socket as it is and reads the answer until the
 * server closes the connection: for requests that fetch or http.request refuse to
 * send (a malformed address, headers larger than Node accepts, bytes that are not HTTP).
 * Say `Connection: close` in the request, or the server keeps the connection open.
 */
export function rawHttp(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    // the server may close while we are still writing a large request
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4), text });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('the server did not close the connection')));
  });
}
