import { z } from 'zod';
import { defineOperation } from './define.js';

export const Mode = z.enum(['desktop', 'headless']);
export type Mode = z.infer<typeof Mode>;

export const CheckStatus = z.enum(['ok', 'degraded', 'down']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const HealthReport = z.object({
  status: CheckStatus,
  version: z.string(),
  checks: z.array(z.object({ name: z.string(), status: CheckStatus, message: z.string().optional() })),
});
export type HealthReport = z.infer<typeof HealthReport>;

export const systemOperations = {
  'system.health': defineOperation({
    summary: 'Overall health and the status of each check, without internals.',
    input: z.object({}).strict(),
    output: HealthReport,
    access: 'public',
    audit: 'failures',
  }),
  'system.info': defineOperation({
    summary: 'Product name, version, database schema version and the face being used.',
    input: z.object({}).strict(),
    output: z.object({
      product: z.string(),
      version: z.string(),
      schemaVersion: z.number().int(),
      mode: Mode,
    }),
    access: 'public',
    audit: 'failures',
  }),
};
