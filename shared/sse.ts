/**
 * The data of every event that is complete in `buffer` (an event's `data:`
 * lines joined), and the start of one that is not, to put before the next chunk.
 */
export function takeEvents(buffer: string): { data: string[]; rest: string } {
  const data: string[] = [];
  let rest = buffer;
  let end: number;
  while ((end = rest.indexOf('\n\n')) >= 0) {
    const frame = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const lines = frame
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6));
    // a frame without data is a comment (the server's heartbeat)
    if (lines.length > 0) data.push(lines.join('\n'));
  }
  return { data, rest };
}

/**
 * Every event's data from the body of a server-sent event stream (`GET /api/events`),
 * as it arrives; it ends with the stream, and throws when the request is aborted.
 *
 *   for await (const data of eventsOf(response.body)) handle(JSON.parse(data) as ServerEvent);
 */
export async function* eventsOf(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const taken = takeEvents(rest + value);
    rest = taken.rest;
    yield* taken.data;
  }
}
