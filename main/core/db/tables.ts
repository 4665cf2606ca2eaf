/**
 * Table types for kysely: one interface per table, added by the migration that
 * creates it. Queries against these are checked by the compiler.
 */
export interface AppMetaTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface Tables {
  app_meta: AppMetaTable;
}
