import type { z } from 'zod';
import { auditOperations } from './audit.js';
import type { OperationDef } from './define.js';
import { backupOperations } from './backup.js';
import { offsiteOperations } from './offsite.js';
import { authOperations } from './auth.js';
import { monitoringOperations } from './monitoring.js';
import { systemOperations } from './system.js';
import { whatsappOperations } from './whatsapp.js';
import { botOperations } from './bot.js';
import { inboxOperations } from './inbox.js';
import { answeringOperations } from './answering.js';
import { updateOperations } from './updates.js';
import { documentOperations } from './documents.js';
import { importOperations } from './imports.js';
import { privacyOperations } from './privacy.js';
import { exportOperations } from './exports.js';

export { defineOperation, type OperationDef } from './define.js';
export { sensitive, withoutSensitive } from './sensitive.js';
export * from './system.js';
export * from './audit.js';
export * from './bot.js';
export * from './inbox.js';
export * from './documents.js';
export * from './backup.js';
export * from './offsite.js';
export * from './auth.js';
export * from './whatsapp.js';
export * from './monitoring.js';
export * from './answering.js';
export * from './updates.js';
export * from './imports.js';
export * from './privacy.js';
export * from './exports.js';

/**
 * Every operation LexDesk can perform, on every face. Adding one: an entry in a
 * capability's contract file, spread in here, and its handler in main/core.
 */
export const operations = {
  ...systemOperations,
  ...auditOperations,
  ...botOperations,
  ...inboxOperations,
  ...documentOperations,
  ...backupOperations,
  ...offsiteOperations,
  ...authOperations,
  ...whatsappOperations,
  ...monitoringOperations,
  ...answeringOperations,
  ...updateOperations,
  ...importOperations,
  ...privacyOperations,
  ...exportOperations,
} satisfies Record<string, OperationDef>;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type InputOf<N extends OperationName> = z.input<Operations[N]['input']>;
export type ParsedInputOf<N extends OperationName> = z.output<Operations[N]['input']>;
export type OutputOf<N extends OperationName> = z.output<Operations[N]['output']>;

export const OPERATION_NAMES = Object.keys(operations) as OperationName[];

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(operations, name);
}
