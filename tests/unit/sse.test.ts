import { describe, expect, it } from 'vitest';
import { eventsOf, takeEvents } from '../../shared/sse.js';

describe('reading a server-sent event stream', () => {
  it('gives each complete event once and keeps an unfinished one for the next chunk', () => {
    const first = takeEvents('data: {"a":1}\n\n: heartbeat\n\ndata: {"b"');
    expect(first).toEqual({ data: ['{"a":1}'], rest: 'data: {"b"' });
    const second = takeEvents(`${first.rest}:2}\n\n`);
    expect(second).toEqual({ data: ['{"b":2}'], rest: '' });
  });

  it('joins the data lines of one event', () => {
    expect(takeEvents('event: x\ndata: one\ndata: two\n\n').data).toEqual(['one\ntwo']);
  });

  it('reads the events of a stream as its chunks arrive, an event split across two', async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        for (const part of ['data: 1\n', '\n: heartbeat\n\ndata: ', '2\n\n']) controller.enqueue(encoder.encode(part));
        controller.close();
      },
    });
    const seen: string[] = [];
    for await (const data of eventsOf(body)) seen.push(data);
    expect(seen).toEqual(['1', '2']);
  });
});
