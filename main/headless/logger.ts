import { pino } from 'pino';
import type { Logger } from '../core/log.js';

/** The categories of LexDesk's log lines, a label in Loki (build/loki/promtail.yml). */
export const LOG_CATEGORIES = ['security', 'audit', 'whatsapp', 'backup', 'monitoring', 'http'] as const;
export type LogCategory = (typeof LOG_CATEGORIES)[number];

/** The category of a line by the component that wrote it; a line may name its own `category`. */
const CATEGORY_OF_COMPONENT: Record<string, LogCategory> = {
  auth: 'security',
  secrets: 'security',
  security: 'security',
  audit: 'audit',
  whatsapp: 'whatsapp',
  bot: 'whatsapp',
  'bot.pdf': 'whatsapp',
  backup: 'backup',
  http: 'http',
  dispatch: 'http',
  documents: 'http',
  monitoring: 'monitoring',
  power: 'monitoring',
  computer: 'monitoring',
  updates: 'monitoring',
};

export function categoryOf(component: unknown): LogCategory {
  return (typeof component === 'string' && CATEGORY_OF_COMPONENT[component]) || 'monitoring';
}

/** Fields never written, at the top of a line or one level down: secrets, and what clients wrote. */
const REDACTED = ['password', 'passphrase', 'secret', 'token', 'accessToken', 'refreshToken', 'authorization', 'cookie', 'kek', 'qr', 'body', 'text', 'caption'];

/**
 * JSON lines on stdout, for `docker compose logs` and Promtail: each with its
 * `category`. Secrets and message bodies are redacted by field name.
 */
export function createHeadlessLogger(level: string, destination: NodeJS.WritableStream = process.stdout): Logger {
  return pino(
    {
      level,
      base: { app: 'lexdesk' },
      mixin(fields, _level, logger) {
        return 'category' in fields ? {} : { category: categoryOf(logger.bindings().component) };
      },
      redact: {
        paths: REDACTED.flatMap((name) => [name, `*.${name}`]),
        censor: '[redacted]',
      },
    },
    destination,
  ) as unknown as Logger;
}
