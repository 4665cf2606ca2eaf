import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AuditAnchor } from './audit/anchor.js';
import { AuditRecords } from './audit/records.js';
import { NightlyVerification } from './audit/nightly.js';
import { PrivacyService } from './privacy/service.js';
import { AuditTrail, doorAuditor } from './audit/trail.js';
import { AuthService } from './auth/service.js';
import { kekProtection, memoryProtection, type KeyProtection } from './backup/key-protection.js';
import type { BackupServiceOptions, DatabaseControl } from './backup/ports.js';
import { recoverInterruptedRestore } from './backup/restore-journal.js';
import { BackupService } from './backup/service.js';
import { OffsiteService, type OffsiteDeps } from './backup/offsite/service.js';
import { Dispatcher } from './dispatch.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { migrateToLatest, schemaVersionOf, SCHEMA_VERSION } from './db/migrate.js';
import { isDiskFull, Store, type StoreFaults } from './db/store.js';
import { openDatabase, refuseLostDatabase } from './db/open.js';
import { DatabaseCheck } from './db/check.js';
import { guardWalAtStart, type WalVerdict } from './db/wal-guard.js';
import { DISK_FULL_ADVICE, DISK_FULL_MESSAGE, DiskSpace } from './db/space.js';
import { AppError } from './errors.js';
import { EventBus } from './events.js';
import { HealthRegistry } from './health.js';
import type { Lifecycle } from './lifecycle.js';
import { localOperatorAuthenticator } from './local-operator.js';
import { BotService } from './bot/service.js';
import { whatsappBotLink } from './bot/whatsapp-link.js';
import type { Logger } from './log.js';
import { Monitoring, type AlertNotifier, type SystemProbe } from './monitoring/index.js';
import { backupSource } from './monitoring/backup-source.js';
import { signInFromAuditTrail } from './monitoring/signin-source.js';
import { HeadlessSecretStore, type SecretStore } from './secrets.js';
import { Computer } from './system/info.js';
import { handlers } from './handlers.js';
import type { CoreServices } from './services.js';
import { APP_VERSION } from './version.js';
import { WriterRegistry } from './writers.js';
import { waitingClients } from './bot/team.js';
import { WhatsAppService } from './whatsapp/service.js';
import { Activity } from './activity.js';
import { PowerWatch } from './power.js';
import type { UpdatePort } from './updates.js';
import { DocumentService } from './documents/service.js';
import type { DocumentStoreHooks } from './documents/store.js';
import type { MediaFetcherOptions } from './whatsapp/media.js';
import type { Transport } from './whatsapp/transport.js';

/** What a face hands the core: the things that differ between desktop and headless. */
export interface FaceDeps {
  log: Logger;
  clock?: Clock;
  /** better_sqlite3.node built for this runtime (Electron needs its own) */
  nativeBinding?: string;
  /** where secrets live; default: the environment, then files in config.secretsDir (headless) */
  secrets?: SecretStore;
  /**
   * How the backup key kept on this machine is protected. Default: sealed with
   * the configuration's key-encryption key (LEXDESK_BACKUP_KEK / _FILE), else
   * memory only. The desktop passes the keychain's when its store is one.
   */
  backupKeyProtection?: KeyProtection;
  /** backup tuning for tests (catch-up delay, scrypt cost, crash hooks) */
  backup?: BackupServiceOptions;
  /** off-site copy tuning for tests (timers, retry back-off) */
  offsite?: OffsiteDeps['options'];
  /** tests: replaces the WhatsApp transport chosen by config (e.g. the adapter over a fake Client) */
  whatsappTransport?: Transport;
  /** shows alerts outside the window (the desktop's OS notifications) */
  notifier?: AlertNotifier;
  /** monitoring overrides: a probe of system readings, or no timers (tests drive `tick()`) */
  monitoring?: { probe?: SystemProbe; schedule?: boolean };
  /** tests of the WhatsApp link on its own: the bot neither consumes the ledger nor answers */
  withoutBot?: boolean;
  /**
   * The command line's operating-system account. With it, a core built for the
   * command line answers its calls (face 'cli') as the local operator
   * (main/core/local-operator.ts) instead of asking for a token.
   */
  localOperator?: string;
  /** the desktop's updater (electron-updater), reached by the system.update operations; headless has none */
  updates?: UpdatePort;
  /**
   * The data folder may start a new database although it holds an installation's
   * secrets, backups or WhatsApp session (`--new-installation`, a restore onto it).
   */
  newInstallation?: boolean;
  /** tests: the period of the database check, and the size from which it runs in a worker */
  databaseCheck?: { everyMs?: number; inlineMaxBytes?: number };
  /** tests: writes that fail as on a full disk, and how often the disk is looked at again */
  storage?: { faults?: StoreFaults; probeMs?: number; resumeFreeBytes?: number };
  /** tests: crash points of the document store, and the media fetcher's back-off */
  documents?: { hooks?: DocumentStoreHooks; media?: MediaFetcherOptions };
}

export interface Core {
  readonly services: CoreServices;
  readonly dispatcher: Dispatcher<CoreServices>;
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds every service of LexDesk for one face. Nothing touches the disk until
 * `start()`, which opens the database, runs migrations and starts the services in
 * order; `stop()` stops them in reverse and closes the database cleanly.
 */
/** How long one part may take to stop before the others go on without it. */
const STOP_PART_WITHIN_MS = 10_000;

export function createCore(config: Config, face: FaceDeps): Core {
  const clock = face.clock ?? systemClock;
  const log = face.log;
  let store: Store | null = null;
  let running = false;
  /** set while a restore has the database closed: calls get a `locked` error saying why */
  let closedFor: string | null = null;
  const lifecycles: Lifecycle[] = [];

  const space = new DiskSpace({
    store: () => store,
    dir: config.dataDir,
    clock,
    log: log.child({ component: 'storage' }),
    probeMs: face.storage?.probeMs,
    resumeFreeBytes: face.storage?.resumeFreeBytes,
  });
  const health = new HealthRegistry();
  const databaseCheck = new DatabaseCheck({
    store: () => store,
    file: config.databaseFile,
    log: log.child({ component: 'database' }),
    nativeBinding: face.nativeBinding,
    everyMs: config.face === 'cli' ? 0 : face.databaseCheck?.everyMs,
    inlineMaxBytes: face.databaseCheck?.inlineMaxBytes,
    // the alert fires (or resolves) with the result, not at the next sample
    onResult: () => {
      if (running) void monitoring.tick();
    },
  });
  health.register('database', () =>
    store?.isOpen && store.ping()
      ? (databaseCheck.health() ?? { status: 'ok' })
      : { status: 'down', message: 'The database cannot be read.' },
  );
  health.register('storage', () =>
    space.full ? { status: 'degraded', message: `${DISK_FULL_MESSAGE}. ${DISK_FULL_ADVICE}` } : { status: 'ok' },
  );

  const storeOrThrow = (): Store => {
    if (!store) {
      if (closedFor) throw new AppError('locked', closedFor);
      throw new Error('the database is not open');
    }
    return store;
  };
  const audit = new AuditTrail(storeOrThrow, clock);
  const events = new EventBus(clock);
  const secrets = face.secrets ?? new HeadlessSecretStore({ env: config.secretEnv, dir: config.secretsDir, log });
  const auditRecords = new AuditRecords({
    store: storeOrThrow,
    trail: audit,
    events,
    clock,
    log: log.child({ component: 'audit' }),
    nativeBinding: face.nativeBinding,
    anchor: new AuditAnchor(secrets),
  });
  lifecycles.push(auditRecords);
  // the chain is verified every night, so its alert and metric rest on a recent verification
  lifecycles.push(
    new NightlyVerification({
      records: auditRecords,
      trail: audit,
      store: storeOrThrow,
      clock,
      log: log.child({ component: 'audit' }),
      schedule: config.face !== 'cli' && (face.monitoring?.schedule ?? true),
    }),
  );
  const auth = new AuthService({ config, clock, log, store: storeOrThrow, secrets, events, audit });
  lifecycles.push(auth);
  const monitoring = new Monitoring({
    config,
    log,
    clock,
    events,
    health,
    store: storeOrThrow,
    version: APP_VERSION,
    notifier: face.notifier,
    probe: face.monitoring?.probe,
    // a command-line run (backup, restore…) beside a running LexDesk must not sample too
    schedule: face.monitoring?.schedule ?? config.face !== 'cli',
  });
  monitoring.registerSource('signin', signInFromAuditTrail(storeOrThrow));
  monitoring.registerSource('audit', () => auditRecords.chainState());
  monitoring.registerSource('storage', () => ({
    writable: !space.full,
    databaseOk: databaseCheck.state === 'failed' ? false : databaseCheck.checkedAt ? true : null,
  }));
  // alerts firing and resolving go into the audit trail in the same transaction as the alert
  // (acknowledging is an operation: the door records it)
  monitoring.onAlertStored((change) => {
    if (change.type === 'acknowledged') return;
    const { alert } = change;
    audit.append({
      actor: { type: 'system', name: 'monitoring' },
      face: 'scheduler',
      action: `monitoring.alert.${change.type}`,
      target: { type: 'alert', id: String(alert.id) },
      outcome: 'ok',
      details: { rule: alert.ruleId, severity: alert.severity, title: alert.title, value: alert.value, threshold: alert.threshold },
    });
  });
  lifecycles.push(monitoring);

  const writers = new WriterRegistry();
  const storeOptions = () => ({
    file: config.databaseFile,
    nativeBinding: face.nativeBinding,
    faults: face.storage?.faults,
    walNote: true,
    onDiskFull: (err: Error) => space.reportFull(err),
  });
  const openStore = () => new Store(storeOptions());
  // a restore closes the database and opens the restored file in its place
  const database: DatabaseControl = {
    file: config.databaseFile,
    async close(reason) {
      closedFor = reason;
      store?.close();
      store = null;
    },
    async open() {
      const next = openStore();
      try {
        const schemaFrom = schemaVersionOf(next);
        const migrated = await migrateToLatest(next, log);
        store = next;
        closedFor = null;
        void databaseCheck.check();
        return { migrated, schemaFrom };
      } catch (err) {
        next.close();
        throw err;
      }
    },
  };
  const backups = new BackupService({
    config,
    log,
    clock,
    events,
    audit,
    writers,
    database,
    secrets,
    keyProtection: face.backupKeyProtection ?? (config.backupKek ? kekProtection(config.backupKek) : memoryProtection),
    schemaVersion: SCHEMA_VERSION,
    appVersion: APP_VERSION,
    nativeBinding: face.nativeBinding,
    options: { schedule: config.face !== 'cli', ...face.backup },
  });
  // a restore asks the admin's password again, and ends the sessions the restored database holds
  backups.useAuth({
    passwords: { verify: (userId, password, call) => auth.confirmPassword(userId, password, call) },
    sessions: { endAllExcept: (keep, call) => auth.endAllSessions('restored', call, keep?.sessionId) },
  });
  lifecycles.push({ name: 'backups', start: () => backups.start(), stop: () => backups.stop() });
  health.register('backups', () => backups.health());
  const backupFeed = backupSource(backups, log);
  backups.useAlerts(backupFeed.sink);
  monitoring.registerSource('backup', backupFeed.read);
  const offsite = new OffsiteService({
    dataDir: config.dataDir,
    backupDir: () => backups.destination().dir,
    secrets,
    log,
    clock,
    events,
    alertAfterHours: () => monitoring.rules.get('offsite-stale').threshold,
    openObject: (name, bytes) => backups.snapshots.openObject(name, bytes),
    options: { schedule: config.face !== 'cli', ...face.offsite },
  });
  lifecycles.push({ name: 'offsite', start: () => offsite.start(), stop: () => offsite.stop() });
  health.register('offsite', () => offsite.health());
  monitoring.registerSource('offsite', () => offsite.snapshot());
  const documents = new DocumentService({
    dir: config.documents.dir,
    maxBytes: config.documents.maxBytes,
    secrets,
    store: storeOrThrow,
    clock,
    log: log.child({ component: 'documents' }),
    hooks: face.documents?.hooks,
  });
  lifecycles.push(documents);
  backups.useDocuments(documents.store);
  writers.register({ name: 'documents', pause: () => undefined, resume: () => documents.resume() });
  const whatsapp = new WhatsAppService({
    config: config.whatsapp,
    face: config.face,
    store: storeOrThrow,
    clock,
    log,
    events,
    health,
    nativeBinding: face.nativeBinding,
    transport: face.whatsappTransport,
    documents: { sink: documents.sink, reader: documents.reader },
    media: face.documents?.media,
  });
  lifecycles.push(whatsapp);
  // the legal bot (main/core/bot): it answers on the faces that connect WhatsApp, not on the command line
  const bot = new BotService({
    documents: documents.store,
    store: storeOrThrow,
    clock,
    log,
    events: () => services.events,
    sendLimits: {
      defaults: { perMinute: config.whatsapp.send.perMinute, perChatSeconds: config.whatsapp.send.chatSpacingMs / 1000 },
      apply: (limits) => whatsapp.setSendLimits({ perMinute: limits.perMinute, chatSpacingMs: Math.round(limits.perChatSeconds * 1000) }),
    },
  });
  if (config.face !== 'cli' && !face.withoutBot) {
    bot.attach(whatsappBotLink(whatsapp, storeOrThrow));
    whatsapp.onOutboxSettled = (row) => bot.deliveryChanged(row);
  }
  writers.register({ name: 'whatsapp', pause: () => whatsapp.pause(), resume: () => whatsapp.resume() });
  // an export must not run on across a restore: it would mix two databases
  writers.register({
    name: 'audit exports',
    pause: () => {
      auditRecords.exports.closeAll();
      auditRecords.databaseReplaced();
    },
    // the restored trail is shorter than the anchor by design: it is the new head
    resume: () => auditRecords.anchorHead('restored').catch((err: unknown) => log.warn({ err }, 'the audit anchor could not be written after the restore')),
  });
  monitoring.registerSource('whatsapp', () => {
    const s = whatsapp.stats();
    return {
      enabled: s.enabled,
      state: s.state,
      ready: s.up === 1,
      received: s.inboundStored,
      sent: s.outboundSent,
      failed: s.outboundFailed,
      reconnects: s.reconnects,
      outboxDepth: s.queueDepth,
      outboxFailed: s.failedInOutbox,
      browserPid: s.browserPid,
    };
  });
  writers.register({ name: 'bot', pause: () => bot.pause(), resume: () => bot.resume() });
  monitoring.registerSource('inbox', () => waitingClients(storeOrThrow(), clock.now()));
  // the command line reads the computer only when a command asks
  const computer = new Computer({ log: log.child({ component: 'computer' }), clock });
  if (config.face !== 'cli') lifecycles.push(computer);

  const power = new PowerWatch({ face: config.face, log: log.child({ component: 'power' }), monitoring, whatsapp, audit });
  const activity = new Activity({
    backups,
    whatsapp,
    clock,
    storeOpen: () => store?.isOpen ?? false,
  });

  // erasure, legal holds and the nightly retention run (main/core/privacy)
  const privacy = new PrivacyService({
    store: storeOrThrow,
    clock,
    log: log.child({ component: 'privacy' }),
    audit,
    documents: () => documents.store,
    events: () => events,
    backupRetentionDays: async () => (await backups.getSettings()).retentionDays,
    schedule: config.face !== 'cli' && (face.monitoring?.schedule ?? true),
  });
  lifecycles.push(privacy);
  const services: CoreServices = {
    config,
    privacy,
    audit,
    auditRecords,
    writers,
    backups,
    offsite,
    log,
    clock,
    events,
    health,
    version: APP_VERSION,
    whatsapp,
    get store(): Store {
      return storeOrThrow();
    },
    bot,
    secrets,
    auth,
    monitoring,
    computer,
    power,
    activity,
    updates: face.updates ?? null,
    documents,
    space,
    databaseCheck,
  };
  lifecycles.push(bot);
  // once the disk has room again, what waited carries on: the outbox, the ledger's consumers, the catch-up
  space.onChange((change) => {
    if (!running) return;
    // the alert fires (or resolves) now, not at the next sample
    void monitoring.tick();
    if (change.type === 'resumed') void whatsapp.resumeAfterDiskFull();
  });

  const dispatcher = new Dispatcher<CoreServices>({
    services,
    handlers,
    store: storeOrThrow,
    log: log.child({ component: 'dispatch' }),
    auditor: doorAuditor(audit),
    authenticator:
      config.face === 'cli' && face.localOperator !== undefined ? localOperatorAuthenticator(face.localOperator) : auth.authenticator,
    observer: monitoring.observer,
  });

  return {
    services,
    dispatcher,
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      const recovered = await recoverInterruptedRestore(config.dataDir, config.databaseFile);
      if (recovered.outcome !== 'none') log.warn({ ...recovered }, 'a restore was interrupted; it was completed or undone');
      if (!face.newInstallation) {
        refuseLostDatabase(config.databaseFile, {
          secretsDir: config.secretsDir,
          backupDir: config.backupDir ?? join(config.dataDir, 'backups'),
          whatsappDir: config.whatsapp.dir,
        });
      }
      // a write-ahead log that is not this database's own is moved aside before SQLite could merge it
      const wal: WalVerdict = guardWalAtStart(config.databaseFile, clock.now());
      if (wal.action === 'set-aside') {
        databaseCheck.setAside = { movedTo: wal.movedTo, reason: wal.reason, atMs: performance.now() };
        log.warn({ movedTo: wal.movedTo, reason: wal.reason }, 'a write-ahead log that was not this database\'s own was set aside, not merged');
      }
      // a damaged, foreign, read-only or unwritable file stops here with its own sentence (DatabaseOpenError)
      store = openDatabase(storeOptions());
      try {
        await migrateToLatest(store, log, { beforeMigrate: (pending) => backups.beforeMigration(pending) });
        for (const part of lifecycles) await part.start();
        databaseCheck.start();
      } catch (err) {
        store.close();
        store = null;
        throw err;
      }
      running = true;
      try {
        audit.append({ actor: { type: 'system' }, face: config.face, action: 'system.started', outcome: 'ok', details: { version: APP_VERSION } });
        if (recovered.outcome !== 'none') {
          audit.append({ actor: { type: 'system' }, face: config.face, action: `backup.restore.${recovered.outcome}-at-start`, outcome: 'ok', target: { type: 'backup', id: recovered.id } });
        }
        if (wal.action === 'set-aside') {
          audit.append({ actor: { type: 'system' }, face: config.face, action: 'system.database.wal-set-aside', outcome: 'ok', details: { reason: wal.reason, movedTo: wal.movedTo } });
        }
      } catch (err) {
        // a full disk does not keep LexDesk from starting: it runs degraded, serving what is stored
        if (!isDiskFull(err)) throw err;
        log.error({}, `${DISK_FULL_MESSAGE}: LexDesk started without saving its start in the audit trail`);
      }
      log.info({ version: APP_VERSION, face: config.face, dataDir: config.dataDir }, 'LexDesk started');
    },
    async stop() {
      if (!running) return;
      running = false;
      services.events.emit('system.stopping', { reason: 'shutdown' });
      try {
        audit.append({ actor: { type: 'system' }, face: config.face, action: 'system.stopped', outcome: 'ok' });
      } catch (err) {
        log.error({ err }, 'could not record the stop in the audit trail');
      }
      // a part whose stop waits on something that never comes must not hold the others (nor, on
      // the command line, let the process end with nothing left to wait on before the database is closed)
      const stopPart = async (name: string, stop: () => void | Promise<void>) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_PART_WITHIN_MS)));
        try {
          if ((await Promise.race([stop(), late])) === 'late') log.error({ part: name }, `a service did not stop within ${STOP_PART_WITHIN_MS / 1000} s; stopping the others`);
        } catch (err) {
          log.error({ err, part: name }, 'a service did not stop cleanly');
        } finally {
          clearTimeout(timer);
        }
      };
      for (const part of [...lifecycles].reverse()) await stopPart(part.name, () => part.stop());
      space.stop();
      await stopPart('database check', () => databaseCheck.stop());
      store?.close();
      store = null;
      log.info({}, 'LexDesk stopped');
    },
  };
}
