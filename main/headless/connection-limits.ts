import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { clientKey } from '../core/net/addresses.js';
import { refuseSocket } from './framework-errors.js';

/**
 * At most `perAddress` open connections from one client address (IPv6: one /64);
 * the one over is answered 429 in the envelope and closed. Connections from a
 * trusted proxy are not counted here: every client behind it shares its address,
 * and the proxy has limits of its own.
 */
export function limitConnectionsPerAddress(
  server: Server,
  options: { perAddress: number; isTrustedProxy: (address: string | undefined) => boolean; headers: Record<string, string> },
): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (options.isTrustedProxy(address)) return;
    const key = clientKey(address) ?? 'unknown';
    const count = (open.get(key) ?? 0) + 1;
    open.set(key, count);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
    if (count > options.perAddress) {
      // nothing this connection sends is read: the answer goes out, then the socket closes
      socket.pause();
      socket.once('finish', () => socket.destroy());
      refuseSocket(
        socket,
        429,
        { code: 'rate_limited', message: 'Too many connections from this address. Close some LexDesk windows and try again.', details: { retryAfterSeconds: 10 } },
        options.headers,
        { 'retry-after': '10' },
      );
    }
  });
}
