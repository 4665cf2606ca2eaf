import { Migrator, type MigrationProvider, type Migration } from 'kysely';
import { migrations } from '../../../migrations/index.js';
import type { Logger } from '../log.js';
import type { Store } from './store.js';

export const MIGRATION_NAMES = Object.keys(migrations).sort();
/** The schema version this build of LexDesk writes: the number of its migrations. */
export const SCHEMA_VERSION = MIGRATION_NAMES.length;

export class SchemaTooNewError extends Error {
  constructor(
    readonly file: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The database ${file} was written by a newer LexDesk (schema ${found}; this version knows up to ${supported}). ` +
        'It was not changed. Install the newer LexDesk, or restore a backup made by this version.',
    );
    this.name = 'SchemaTooNewError';
  }
}

const provider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  },
};

/** Names of the migrations already applied to this database, read without changing it. */
export function appliedMigrations(store: Store): string[] {
  const table = store.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    .get();
  if (!table) return [];
  return (store.sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map(
    (row) => row.name,
  );
}

export function schemaVersionOf(store: Store): number {
  return store.sqlite.pragma('user_version', { simple: true }) as number;
}

/** Throws SchemaTooNewError when the database holds migrations this build does not know. */
export function assertSchemaNotNewer(store: Store): void {
  const applied = appliedMigrations(store);
  const unknown = applied.filter((name) => !MIGRATION_NAMES.includes(name));
  const userVersion = schemaVersionOf(store);
  if (unknown.length > 0 || userVersion > SCHEMA_VERSION) {
    throw new SchemaTooNewError(store.file, Math.max(userVersion, applied.length), SCHEMA_VERSION);
  }
}

export function pendingMigrations(store: Store): string[] {
  const applied = new Set(appliedMigrations(store));
  return MIGRATION_NAMES.filter((name) => !applied.has(name));
}

export interface MigrateOptions {
  /**
   * Runs before pending migrations are applied to a database that already has
   * some (not a new one): the pre-migration backup. Throwing stops the migration.
   */
  beforeMigrate?: (pending: string[]) => Promise<void>;
}

/** Brings the database to SCHEMA_VERSION; refuses (unchanged) one from a newer LexDesk. */
export async function migrateToLatest(store: Store, log: Logger, options: MigrateOptions = {}): Promise<string[]> {
  assertSchemaNotNewer(store);
  const pending = pendingMigrations(store);
  if (pending.length === 0) return [];
  if (options.beforeMigrate && appliedMigrations(store).length > 0) await options.beforeMigrate(pending);
  // Unordered: capabilities developed side by side number their migrations in advance, and a
  // database may have a later number applied before an earlier one lands.
  const migrator = new Migrator({ db: store.db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error')?.migrationName;
    log.error({ err: error, failed }, 'database migration failed');
    throw new Error(`Database migration ${failed ?? ''} failed: ${(error as Error).message ?? String(error)}`);
  }
  store.sqlite.pragma(`user_version = ${SCHEMA_VERSION}`);
  log.info({ applied, schemaVersion: SCHEMA_VERSION }, 'database migrated');
  return applied;
}
