import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config, type Face } from '../core/config.js';
import { PreMigrationBackupError } from '../core/backup/service.js';
import { SchemaTooNewError } from '../core/db/migrate.js';
import { DatabaseOpenError, EXIT_STATUS } from '../core/db/open.js';
import { APP_VERSION } from '../core/version.js';
import { NoDatabaseError, openCore } from './operator.js';

const HELP = `LexDesk ${APP_VERSION}

Usage: lexdesk <command> [options]

Commands:
  serve              run headless: the core and the web screens over HTTP
  migrate            bring the database to this version's schema, then exit
  audit verify       check the audit trail's hash chain (exit 1 when broken)
  audit export       write audit rows to a CSV or JSON Lines file (lexdesk audit help)
  backup …           create | list | verify <id> | restore <id> | decrypt | passphrase | fetch (lexdesk backup help)
  import …           legacy <folder> | parties <file>: bring the old bot's data and known parties in (lexdesk import help)
  evidence verify <file.json> [--pdf FILE] [--installation]
                     check an evidence export: "intact", or what differs (exit 1)
  export all <folder> every client, matter, conversation, message, document and note as JSON Lines, CSV and files
  user create-admin --username U [--display-name "Name"]
                     first run: create the administrator; the password is read from stdin
  doctor [--json]    the production checklist: each line ok, warn or FAIL with its fix (exit 1 on a FAIL)
  version            print the version

Options:
  --new-installation serve, migrate, user create-admin: start a new database although the
                     data folder holds an earlier installation's secrets, backups or WhatsApp session

The data folder is LEXDESK_DATA_DIR (default ./data); see README.md for every setting.
Only serve, migrate, user create-admin and backup restore start a new database there;
the other commands exit with status 2 when the folder holds none.

Exit statuses: 0 done, 1 an unexpected error, 2 configuration (or no database for the command),
3 the database is from a newer LexDesk, 4 the database is missing or empty beside an earlier
installation, 5 the database is damaged, 6 the file is not a database, 7 the database is
read-only, 8 LexDesk cannot write in the data folder (README: "When something goes wrong").
`;

function configFor(face: Face): Config {
  return loadConfig({ face });
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { username: { type: 'string' }, 'display-name': { type: 'string' }, 'new-installation': { type: 'boolean' } },
  });
  const newInstallation = values['new-installation'] === true;
  const [command] = positionals;
  switch (command) {
    case 'serve': {
      const { serve } = await import('../headless/serve.js');
      await serve(configFor('headless'), { newInstallation });
      return -1; // keeps running
    }
    case 'migrate': {
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const config = configFor('cli');
      const core = await openCore(config, createHeadlessLogger(config.logLevel, process.stderr), { mayCreate: true, newInstallation });
      await core.stop();
      return 0;
    }
    case 'audit': {
      const { auditCommand, AUDIT_HELP } = await import('./audit.js');
      if (positionals[1] === undefined || positionals[1] === 'help') {
        process.stdout.write(AUDIT_HELP);
        return positionals[1] === 'help' ? 0 : 2;
      }
      return auditCommand(argv.slice(argv.indexOf('audit') + 1), configFor('cli'));
    }
    case 'evidence': {
      const { evidenceCommand } = await import('./evidence.js');
      return evidenceCommand(argv.slice(argv.indexOf('evidence') + 1), () => configFor('cli'));
    }
    case 'backup': {
      const { backupCommand } = await import('./backup.js');
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const config = configFor('cli');
      return backupCommand(argv.slice(argv.indexOf('backup') + 1), config, createHeadlessLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
    }
    case 'import': {
      const { importCommand } = await import('./import.js');
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const config = configFor('cli');
      return importCommand(argv.slice(argv.indexOf('import') + 1), config, createHeadlessLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
    }
    case 'export': {
      const { exportCommand } = await import('./export.js');
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const config = configFor('cli');
      return exportCommand(argv.slice(argv.indexOf('export') + 1), config, createHeadlessLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr));
    }
    case 'user': {
      if (positionals[1] !== 'create-admin' || typeof values.username !== 'string' || values.username === '') {
        process.stderr.write('Usage: lexdesk user create-admin --username U [--display-name "Name"]  (password on stdin)\n');
        return 2;
      }
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const { createAdminFromCli, readPassword } = await import('./user.js');
      const config = configFor('cli');
      const password = await readPassword(process.stdin, process.stderr);
      const core = await openCore(config, createHeadlessLogger('warn', process.stderr), { mayCreate: true, newInstallation });
      try {
        const displayName = typeof values['display-name'] === 'string' ? values['display-name'] : undefined;
        const result = await createAdminFromCli(core, { username: values.username, displayName, password });
        if (!result.ok) {
          process.stderr.write(`lexdesk: ${result.message}\n`);
          return result.code === 'conflict' ? 3 : 1;
        }
        process.stdout.write(`Administrator "${result.username}" created. Sign in with this username and password.\n`);
        return 0;
      } finally {
        await core.stop();
      }
    }
    case 'doctor': {
      const { doctorCommand } = await import('./doctor.js');
      const { createHeadlessLogger } = await import('../headless/logger.js');
      const config = configFor('cli');
      return doctorCommand(argv.slice(argv.indexOf('doctor') + 1), config, createHeadlessLogger('warn', process.stderr));
    }
    case 'version':
      process.stdout.write(`${APP_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(HELP);
      return 0;
    default:
      process.stderr.write(`lexdesk: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

/** Runs the CLI and turns the errors a person can fix into one clear line and an exit status. */
export async function run(argv: string[]): Promise<void> {
  try {
    const code = await main(argv);
    if (code >= 0) process.exit(code);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lexdesk: configuration error: ${err.message}\n`);
      process.exit(EXIT_STATUS.configuration);
    }
    if (err instanceof DatabaseOpenError) {
      process.stderr.write(`lexdesk: ${err.message}\n`);
      process.exit(err.exitStatus);
    }
    if (err instanceof NoDatabaseError) {
      process.stderr.write(`lexdesk: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof SchemaTooNewError || err instanceof PreMigrationBackupError) {
      process.stderr.write(`lexdesk: ${err.message}\n`);
      process.exit(EXIT_STATUS.schemaTooNew);
    }
    const e = err as NodeJS.ErrnoException;
    if (e?.code === 'EADDRINUSE') {
      process.stderr.write(`lexdesk: the port is already in use (${e.message}). Set LEXDESK_PORT to a free port.\n`);
      process.exit(1);
    }
    process.stderr.write(`lexdesk: ${e?.stack ?? String(err)}\n`);
    process.exit(1);
  }
}

// `node dist/main/cli/index.js …` (Docker image, tests) runs the CLI directly; bin/lexdesk.js imports `run`.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await run(process.argv.slice(2));
}
