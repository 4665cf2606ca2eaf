import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { wholeNumber, yesNo } from './env-values.js';
import { whatsappConfigFrom, whatsappEnv, type WhatsAppConfig } from './whatsapp/config.js';
import { parseUpdateFeed, UPDATE_FEED_RULE, type UpdateFeed } from './update-feed.js';

export type Face = 'desktop' | 'headless' | 'cli';

/** "10.0.0.5, 192.168.1.0/24, ::1": addresses and CIDR ranges, IPv4 or IPv6 */
const addressList = z
  .string()
  .transform((text) => text.split(',').map((part) => part.trim()).filter(Boolean))
  .refine(
    (entries) =>
      entries.length > 0 &&
      entries.every((entry) => {
        const [address = '', prefix, extra] = entry.split('/');
        const family = isIP(address);
        if (!family || extra !== undefined) return false;
        if (prefix === undefined) return true;
        const bits = Number(prefix);
        return /^\d+$/.test(prefix) && bits >= 0 && bits <= (family === 4 ? 32 : 128);
      }),
    'must be a comma-separated list of IP addresses or ranges such as 10.0.0.0/8',
  );

/**
 * LEXDESK_TRUST_PROXY: the addresses of the reverse proxies whose forwarded client
 * addresses are believed. `false` (or empty) trusts none; `true` is refused, since
 * it would believe any client that sends X-Forwarded-For.
 */
const proxyList = z.string().transform((text, ctx) => {
  const value = text.trim().toLowerCase();
  if (['false', '0', 'no', 'none'].includes(value)) return [];
  if (['true', '1', 'yes'].includes(value)) {
    ctx.addIssue({
      code: 'custom',
      message: "must list the proxy's own addresses, such as 127.0.0.1 or 172.16.0.0/12 (true would believe any client's X-Forwarded-For)",
    });
    return z.NEVER;
  }
  const parsed = addressList.safeParse(text);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: "must list the proxy's addresses or ranges, such as 127.0.0.1,172.16.0.0/12, or be false" });
    return z.NEVER;
  }
  return parsed.data;
});

/**
 * Every setting LexDesk reads, one entry each: the environment variable, its rule,
 * its default. The README's configuration table lists the same variables.
 * Values come from the process environment, then from the .env file, then defaults.
 */
const envSchema = z.object({
  LEXDESK_DATA_DIR: z.string().min(1, 'must name a folder').optional(),
  LEXDESK_HOST: z.string().min(1, 'must be a host name or address').default('127.0.0.1'),
  LEXDESK_PORT: wholeNumber(0, 65535).default(3001),
  LEXDESK_LOG_LEVEL: z
    .enum(['trace', 'debug', 'info', 'warn', 'error'], { message: 'must be one of trace, debug, info, warn, error' })
    .default('info'),
  LEXDESK_TRUST_PROXY: proxyList.optional(),
  LEXDESK_PUBLIC_URL: z.url({ message: 'must be a full URL such as https://lexdesk.office.example' }).optional(),
  // backups (see main/core/backup)
  LEXDESK_BACKUP_DIR: z.string().min(1, 'must name a folder').optional(),
  LEXDESK_BACKUP_BEFORE_MIGRATION: yesNo.default(true),
  // sign-in (see main/core/auth)
  LEXDESK_BCRYPT_COST: wholeNumber(4, 15).default(12),
  LEXDESK_ACCESS_TOKEN_MINUTES: wholeNumber(1, 60).default(15),
  LEXDESK_SESSION_IDLE_HOURS: wholeNumber(1, 24 * 30).default(12),
  LEXDESK_SESSION_MAX_DAYS: wholeNumber(1, 365).default(30),
  LEXDESK_LOCKOUT_THRESHOLD: wholeNumber(1, 1000).default(5),
  LEXDESK_LOCKOUT_MINUTES: wholeNumber(1, 24 * 60).default(15),
  LEXDESK_SIGNIN_LIMIT: wholeNumber(1, 100_000).default(30),
  LEXDESK_REFRESH_GRACE_SECONDS: wholeNumber(0, 120, 'seconds').default(20),
  // the HTTP server (headless)
  LEXDESK_HTTP_REQUEST_TIMEOUT_SECONDS: wholeNumber(1, 3600, 'seconds').default(30),
  LEXDESK_HTTP_HEADERS_TIMEOUT_SECONDS: wholeNumber(1, 600, 'seconds').default(10),
  LEXDESK_HTTP_CONNECTIONS_PER_ADDRESS: wholeNumber(1, 100_000).default(64),
  LEXDESK_EVENT_STREAMS_PER_USER: wholeNumber(1, 1000).default(8),
  // requests per minute per client address and per signed-in user (0: no limit)
  LEXDESK_RATE_LIMIT_PER_ADDRESS: wholeNumber(0, 1_000_000).default(3000),
  LEXDESK_RATE_LIMIT_PER_USER: wholeNumber(0, 1_000_000).default(1200),
  // the key that wraps the backup key on this machine (headless)
  LEXDESK_BACKUP_KEK: z.string().min(32, 'must be at least 32 characters (for example: openssl rand -base64 32)').optional(),
  LEXDESK_BACKUP_KEK_FILE: z.string().min(1, 'must name a file').optional(),
  // secrets (see main/core/secrets)
  LEXDESK_SECRETS_DIR: z.string().min(1, 'must name a folder').optional(),
  // monitoring (see main/core/monitoring)
  LEXDESK_MONITORING_INTERVAL: wholeNumber(1, 3600, 'seconds').default(15),
  LEXDESK_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LEXDESK_METRICS_ALLOW: addressList.optional(),
  // documents (see main/core/documents)
  LEXDESK_DOCUMENT_MAX_MB: wholeNumber(1, 2048, 'megabytes').default(100),
  LEXDESK_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (for example: openssl rand -base64 32)').optional(),
  // desktop updates (see main/electron/updater.ts)
  LEXDESK_UPDATE_URL: z
    .string()
    .refine((value) => parseUpdateFeed(value) !== null, UPDATE_FEED_RULE)
    .transform((value) => parseUpdateFeed(value)!)
    .optional(),
  ...whatsappEnv,
});

/** Every variable LexDesk reads (the README's configuration table lists the same). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * Reads a .env file as LexDesk does (Node's own parser: `KEY=VALUE`, `#` comments,
 * quotes). A line it cannot read is skipped by that parser, which is why the
 * shipped template has a test of its own.
 */
export function readEnvFile(file: string): Record<string, string> {
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/** Variables whose value a configuration error must not repeat (it ends up in logs). */
const SECRET_VARIABLES = new Set(['LEXDESK_METRICS_TOKEN', 'LEXDESK_JWT_SECRET', 'LEXDESK_BACKUP_KEK']);

export interface Config {
  face: Face;
  dataDir: string;
  databaseFile: string;
  host: string;
  port: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** headless behind a reverse proxy: the proxies' addresses and ranges; forwarded client addresses are believed only from them */
  trustProxy: string[];
  /** the address users reach in headless mode; https there makes cookies Secure */
  publicUrl?: string;
  /** LEXDESK_BACKUP_DIR: the backup folder, fixed by IT (else the Backups screen's, else <data>/backups) */
  backupDir?: string;
  /** back up before schema migrations (LEXDESK_BACKUP_BEFORE_MIGRATION) */
  backupBeforeMigration: boolean;
  /** the WhatsApp link: which transport, where Chromium is, send limits (main/core/whatsapp/config.ts) */
  whatsapp: WhatsAppConfig;
  auth: AuthConfig;
  /** headless: where secrets live as files (mode 0700 folder, 0600 files) unless given in the environment */
  secretsDir: string;
  /** secrets given in the environment, by secret name (e.g. 'jwt-secret' from LEXDESK_JWT_SECRET). Never log. */
  secretEnv: Readonly<Record<string, string>>;
  /** seconds between two samples of the monitoring collector */
  monitoringIntervalSeconds: number;
  /** headless: /metrics requires `Authorization: Bearer <this>` when set */
  metricsToken?: string;
  /** headless: /metrics answers only these addresses and ranges when set */
  metricsAllow?: string[];
  /** headless: the HTTP server's timeouts and caps */
  http: HttpLimits;
  /**
   * The key-encryption key that wraps the backup key kept on this machine
   * (LEXDESK_BACKUP_KEK, or the file LEXDESK_BACKUP_KEK_FILE outside the data and
   * backup folders). Never log.
   */
  backupKek?: BackupKek;
  /** desktop: where updates come from (LEXDESK_UPDATE_URL); null: no environment value (a setting may name one) */
  updateFeed: UpdateFeed | null;
  /** the document store: where its files live, and the largest file it takes in or sends */
  documents: { dir: string; maxBytes: number };
}

/** The backup key-encryption key: its value (LEXDESK_BACKUP_KEK) or the file that holds it (LEXDESK_BACKUP_KEK_FILE). */
export interface BackupKek {
  value?: string;
  file?: string;
  /** where it comes from, for the log and the screen */
  source: string;
}

export interface HttpLimits {
  /** the whole request (headers and body) must arrive within this */
  requestTimeoutMs: number;
  /** the headers must arrive within this */
  headersTimeoutMs: number;
  /** open connections per client address (IPv6: per /64); trusted proxies are not counted */
  connectionsPerAddress: number;
  /** open event streams per signed-in user (and per address for streams without a sign-in) */
  eventStreamsPerUser: number;
  /** requests per minute per client address (IPv6: per /64), 0 for none */
  requestsPerMinutePerAddress: number;
  /** requests per minute per signed-in user, 0 for none */
  requestsPerMinutePerUser: number;
}

export interface AuthConfig {
  /** bcrypt cost factor for new password hashes */
  bcryptCost: number;
  accessTokenTtlMs: number;
  /** a session not refreshed for this long ends */
  sessionIdleMs: number;
  /** a session ends this long after sign-in, whatever happens */
  sessionMaxMs: number;
  /** consecutive failed sign-ins that lock an account */
  lockoutThreshold: number;
  lockoutMs: number;
  /** headless: sign-in attempts allowed per client address per window */
  signInLimitPerAddress: number;
  signInLimitWindowMs: number;
  /** a refresh token just rotated still works this long (two tabs refreshing at once), from the same browser */
  refreshGraceMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** The OS folder where a desktop app keeps its data (what Electron calls userData). */
export function desktopDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'LexDesk');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'LexDesk');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'LexDesk');
}

export interface LoadConfigOptions {
  face: Face;
  env?: NodeJS.ProcessEnv;
  /** a .env file to read; defaults to `.env` in the working directory when it exists */
  envFile?: string | null;
  cwd?: string;
}

/** Reads and checks the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(options: LoadConfigOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const envFile = options.envFile === undefined ? join(cwd, '.env') : options.envFile;
  const fromFile: Record<string, string> = {};
  if (envFile && existsSync(envFile)) {
    Object.assign(fromFile, readEnvFile(envFile));
  }
  const merged: Record<string, string | undefined> = {};
  for (const key of CONFIG_VARIABLES) {
    const value = env[key] ?? fromFile[key];
    merged[key] = value === '' ? undefined : value;
  }
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const got = merged[variable];
    const echo = got !== undefined && !SECRET_VARIABLES.has(variable);
    throw new ConfigError(variable, `${issue.message}${echo ? ` (got "${got}")` : ''}`);
  }
  const v = parsed.data;
  const dataDir = resolve(
    cwd,
    v.LEXDESK_DATA_DIR ?? (options.face === 'desktop' ? desktopDataDir(env) : './data'),
  );
  const backupDir = v.LEXDESK_BACKUP_DIR === undefined ? undefined : resolve(cwd, v.LEXDESK_BACKUP_DIR);
  const secretsDir = resolve(cwd, v.LEXDESK_SECRETS_DIR ?? join(dataDir, 'secrets'));
  const backupKek = readBackupKek(v.LEXDESK_BACKUP_KEK, v.LEXDESK_BACKUP_KEK_FILE, cwd, [dataDir, secretsDir, ...(backupDir ? [backupDir] : [])]);
  return {
    face: options.face,
    dataDir,
    databaseFile: join(dataDir, 'lexdesk.sqlite'),
    host: v.LEXDESK_HOST,
    port: v.LEXDESK_PORT,
    logLevel: v.LEXDESK_LOG_LEVEL,
    trustProxy: v.LEXDESK_TRUST_PROXY ?? [],
    publicUrl: v.LEXDESK_PUBLIC_URL,
    backupDir,
    backupBeforeMigration: v.LEXDESK_BACKUP_BEFORE_MIGRATION,
    auth: {
      bcryptCost: v.LEXDESK_BCRYPT_COST,
      accessTokenTtlMs: v.LEXDESK_ACCESS_TOKEN_MINUTES * 60_000,
      sessionIdleMs: v.LEXDESK_SESSION_IDLE_HOURS * 3_600_000,
      sessionMaxMs: v.LEXDESK_SESSION_MAX_DAYS * 86_400_000,
      lockoutThreshold: v.LEXDESK_LOCKOUT_THRESHOLD,
      lockoutMs: v.LEXDESK_LOCKOUT_MINUTES * 60_000,
      signInLimitPerAddress: v.LEXDESK_SIGNIN_LIMIT,
      signInLimitWindowMs: 15 * 60_000,
      refreshGraceMs: v.LEXDESK_REFRESH_GRACE_SECONDS * 1000,
    },
    secretsDir,
    secretEnv: v.LEXDESK_JWT_SECRET ? { 'jwt-secret': v.LEXDESK_JWT_SECRET } : {},
    whatsapp: whatsappConfigFrom(v, dataDir),
    monitoringIntervalSeconds: v.LEXDESK_MONITORING_INTERVAL,
    metricsToken: v.LEXDESK_METRICS_TOKEN,
    metricsAllow: v.LEXDESK_METRICS_ALLOW,
    http: {
      requestTimeoutMs: v.LEXDESK_HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeoutMs: Math.min(v.LEXDESK_HTTP_HEADERS_TIMEOUT_SECONDS, v.LEXDESK_HTTP_REQUEST_TIMEOUT_SECONDS) * 1000,
      connectionsPerAddress: v.LEXDESK_HTTP_CONNECTIONS_PER_ADDRESS,
      eventStreamsPerUser: v.LEXDESK_EVENT_STREAMS_PER_USER,
      requestsPerMinutePerAddress: v.LEXDESK_RATE_LIMIT_PER_ADDRESS,
      requestsPerMinutePerUser: v.LEXDESK_RATE_LIMIT_PER_USER,
    },
    ...(backupKek ? { backupKek } : {}),
    updateFeed: v.LEXDESK_UPDATE_URL ?? null,
    documents: { dir: join(dataDir, 'documents'), maxBytes: v.LEXDESK_DOCUMENT_MAX_MB * 1024 * 1024 },
  };
}

const inside = (folder: string, file: string) => {
  const rel = relative(folder, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The backup key-encryption key, from LEXDESK_BACKUP_KEK or the file
 * LEXDESK_BACKUP_KEK_FILE (a mounted secret, read when first needed). The file
 * must not lie in the data, secrets or backup folder: a copy of those must not
 * carry the key that opens them.
 */
function readBackupKek(fromEnv: string | undefined, file: string | undefined, cwd: string, folders: string[]): BackupKek | undefined {
  if (fromEnv !== undefined && file !== undefined) {
    throw new ConfigError('LEXDESK_BACKUP_KEK_FILE', 'set either LEXDESK_BACKUP_KEK or LEXDESK_BACKUP_KEK_FILE, not both');
  }
  if (fromEnv !== undefined) return { value: fromEnv, source: 'environment variable LEXDESK_BACKUP_KEK' };
  if (file === undefined) return undefined;
  const path = resolve(cwd, file);
  const folder = folders.find((f) => inside(f, path));
  if (folder) {
    throw new ConfigError('LEXDESK_BACKUP_KEK_FILE', `must be outside the data, secrets and backup folders (it is inside ${folder}): a copy of them must not carry the key`);
  }
  // read when the backup key is first needed: a missing secret must not stop LexDesk from starting
  return { file: path, source: `file ${path} (LEXDESK_BACKUP_KEK_FILE)` };
}
