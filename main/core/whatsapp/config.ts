import { join } from 'node:path';
import { z } from 'zod';
import { wholeNumber, yesNo } from '../env-values.js';

/** The WhatsApp Web build that whatsapp-web.js 1.34 was released against; version drift is its most common breakage. */
export const DEFAULT_WEB_VERSION = '2.3000.1017054665';

/**
 * The WhatsApp link's settings, spread into the core's configuration schema
 * (main/core/config.ts). Each is documented in the README's configuration table.
 */
export const whatsappEnv = {
  LEXDESK_WHATSAPP: z
    .enum(['whatsapp-web', 'simulator'], { message: 'must be whatsapp-web or simulator' })
    .default('whatsapp-web'),
  LEXDESK_CHROMIUM_PATH: z.string().min(1, 'must name the Chrome, Chromium or Edge executable').optional(),
  LEXDESK_CHROMIUM_NO_SANDBOX: yesNo.default(false),
  LEXDESK_WHATSAPP_WEB_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, 'must be a WhatsApp Web version such as 2.3000.1017054665')
    .default(DEFAULT_WEB_VERSION),
  LEXDESK_WHATSAPP_WEB_CACHE_URL: z
    .string()
    .regex(/^https?:\/\/.+\{version\}/, 'must be an http(s) address containing {version}')
    .optional(),
  LEXDESK_WHATSAPP_SEND_PER_MINUTE: wholeNumber(1, 1_000_000).default(30),
  LEXDESK_WHATSAPP_SEND_BURST: wholeNumber(1, 10_000).default(5),
  LEXDESK_WHATSAPP_CHAT_SPACING_MS: wholeNumber(0, 600_000).default(1000),
  LEXDESK_WHATSAPP_SEND_ATTEMPTS: wholeNumber(1, 100).default(5),
  LEXDESK_WHATSAPP_RETRY_BASE_MS: wholeNumber(1, 3_600_000).default(5000),
  LEXDESK_WHATSAPP_RECONNECT_MIN_MS: wholeNumber(1, 3_600_000).default(2000),
  LEXDESK_WHATSAPP_RECONNECT_MAX_MS: wholeNumber(1, 86_400_000).default(300_000),
  LEXDESK_WHATSAPP_WATCHDOG_MS: wholeNumber(10, 3_600_000).default(30_000),
  LEXDESK_WHATSAPP_WATCHDOG_TIMEOUT_MS: wholeNumber(10, 3_600_000).default(15_000),
  LEXDESK_SIMULATOR_SEND_LATENCY_MS: wholeNumber(0, 60_000).default(0),
  LEXDESK_SIMULATOR_PAIRED: yesNo.default(false),
};

type WhatsAppEnv = z.output<z.ZodObject<typeof whatsappEnv>>;

export type TransportKind = 'whatsapp-web' | 'simulator';

export interface WhatsAppConfig {
  transport: TransportKind;
  /** LEXDESK_CHROMIUM_PATH; when unset the usual install paths are searched */
  chromiumPath?: string;
  /** run Chromium without its sandbox (containers without user namespaces; always when running as root) */
  chromiumNoSandbox: boolean;
  /** everything WhatsApp keeps on disk: the LocalAuth session, the web version cache, the simulator's network */
  dir: string;
  webVersion: string;
  /** a remote WhatsApp Web archive (`{version}` is replaced); when unset, a local cache in `dir` */
  webCacheUrl?: string;
  send: {
    perMinute: number;
    burst: number;
    chatSpacingMs: number;
    maxAttempts: number;
    retryBaseMs: number;
  };
  reconnect: { minMs: number; maxMs: number };
  watchdog: { intervalMs: number; timeoutMs: number };
  /** the simulator starts already linked, as if its QR had been scanned in an earlier run */
  simulatorPaired: boolean;
  /** how long the simulator takes to confirm a send it already delivered */
  simulatorSendLatencyMs: number;
}

export function whatsappConfigFrom(v: WhatsAppEnv, dataDir: string): WhatsAppConfig {
  return {
    transport: v.LEXDESK_WHATSAPP,
    chromiumPath: v.LEXDESK_CHROMIUM_PATH,
    chromiumNoSandbox: v.LEXDESK_CHROMIUM_NO_SANDBOX,
    dir: join(dataDir, 'whatsapp'),
    webVersion: v.LEXDESK_WHATSAPP_WEB_VERSION,
    webCacheUrl: v.LEXDESK_WHATSAPP_WEB_CACHE_URL,
    send: {
      perMinute: v.LEXDESK_WHATSAPP_SEND_PER_MINUTE,
      burst: v.LEXDESK_WHATSAPP_SEND_BURST,
      chatSpacingMs: v.LEXDESK_WHATSAPP_CHAT_SPACING_MS,
      maxAttempts: v.LEXDESK_WHATSAPP_SEND_ATTEMPTS,
      retryBaseMs: v.LEXDESK_WHATSAPP_RETRY_BASE_MS,
    },
    reconnect: {
      minMs: v.LEXDESK_WHATSAPP_RECONNECT_MIN_MS,
      maxMs: Math.max(v.LEXDESK_WHATSAPP_RECONNECT_MAX_MS, v.LEXDESK_WHATSAPP_RECONNECT_MIN_MS),
    },
    watchdog: { intervalMs: v.LEXDESK_WHATSAPP_WATCHDOG_MS, timeoutMs: v.LEXDESK_WHATSAPP_WATCHDOG_TIMEOUT_MS },
    simulatorPaired: v.LEXDESK_SIMULATOR_PAIRED,
    simulatorSendLatencyMs: v.LEXDESK_SIMULATOR_SEND_LATENCY_MS,
  };
}
