/**
 * Reads a server-sent event stream as it arrives: the data of every event that
 * is complete in `buffer` (an event's `data:` lines joined), and the start of
 * one that is not, to put before the next chunk.
 *
 *   let rest = '';
 *   for await (const chunk of stream) {
 *     const taken = takeEvents(rest + chunk);
 *     rest = taken.rest;
 *     for (const data of taken.data) handle(JSON.parse(data));
 *   }
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
