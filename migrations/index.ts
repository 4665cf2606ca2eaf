import type { Migration } from 'kysely';
import * as m0001 from './0001_init.js';
import * as m0002 from './0002_auth.js';
import * as m0003 from './0003_audit.js';
import * as m0003a from './0003a_audit_queries.js';
import * as m0004 from './0004_whatsapp.js';
import * as m0007 from './0007_monitoring.js';
import * as m0005 from './0005_bot.js';
import * as m0008 from './0008_bot_language.js';
import * as m0012 from './0012_security.js';
import * as m0011 from './0011_team_inbox.js';
import * as m0009 from './0009_documents.js';
import * as m0013 from './0013_imports.js';
import * as m0017 from './0017_parties_bulk_index.js';
import * as m0018 from './0018_privacy.js';
import * as m0020 from './0020_data_exports.js';

/**
 * Every migration, in order, imported statically so that they bundle (asar, dist/).
 * Never edit one that has shipped: add the next number.
 */
export const migrations: Record<string, Migration> = {
  '0001_init': m0001,
  '0002_auth': m0002,
  '0003_audit': m0003,
  '0003a_audit_queries': m0003a,
  '0004_whatsapp': m0004,
  '0007_monitoring': m0007,
  '0005_bot': m0005,
  '0008_bot_language': m0008,
  '0012_security': m0012,
  '0011_team_inbox': m0011,
  '0009_documents': m0009,
  '0013_imports': m0013,
  '0017_parties_bulk_index': m0017,
  '0018_privacy': m0018,
  '0020_data_exports': m0020,
};
