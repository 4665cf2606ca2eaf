import { pino } from 'pino';
import type { Logger } from '../core/log.js';

/** JSON lines on stdout, for `docker compose logs` and IT's log shipper. Secrets are redacted by path. */
export function createHeadlessLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { app: 'lexdesk' },
      redact: {
        paths: ['password', '*.password', 'token', '*.token', 'refreshToken', '*.refreshToken', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  ) as unknown as Logger;
}
