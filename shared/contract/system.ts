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

/** A folder LexDesk keeps data in and the disk it is on, as read once after LexDesk started. */
export const ComputerVolume = z.object({
  folder: z.enum(['data', 'backup']),
  /** where that disk is mounted ("/", "C:"); null when it could not be told */
  mount: z.string().nullable(),
  fsType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  /** SSD, HDD… as the system reports it */
  kind: z.string().nullable(),
  model: z.string().nullable(),
  removable: z.boolean().nullable(),
});
export type ComputerVolume = z.infer<typeof ComputerVolume>;

/** The computer LexDesk runs on and the versions of its parts: what IT and support ask first. */
export const ComputerInfo = z.object({
  os: z.object({
    platform: z.string(),
    distro: z.string(),
    release: z.string(),
    codename: z.string().nullable(),
    kernel: z.string(),
    arch: z.string(),
  }),
  cpu: z.object({
    model: z.string(),
    /** logical cores, as the operating system counts them */
    cores: z.number().int(),
    physicalCores: z.number().int().nullable(),
  }),
  memoryBytes: z.number(),
  volumes: z.array(ComputerVolume),
  versions: z.object({
    lexdesk: z.string(),
    node: z.string(),
    electron: z.string().nullable(),
    sqlite: z.string(),
    whatsappWebJs: z.string().nullable(),
  }),
  /** when the machine was read */
  collectedAt: z.string(),
});
export type ComputerInfo = z.infer<typeof ComputerInfo>;

export const DoctorStatus = z.enum(['ok', 'warn', 'fail']);
export type DoctorStatus = z.infer<typeof DoctorStatus>;

/** One line of the production checklist (`lexdesk doctor`, the Overview's readiness card). */
export const DoctorCheck = z.object({
  id: z.string(),
  title: z.string(),
  status: DoctorStatus,
  /** what was found, in one sentence */
  detail: z.string(),
  /** what to do, in one sentence; null when ok */
  fix: z.string().nullable(),
});
export type DoctorCheck = z.infer<typeof DoctorCheck>;

export const DoctorReport = z.object({
  /** no line failed */
  ready: z.boolean(),
  checkedAt: z.string(),
  checks: z.array(DoctorCheck),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

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
      /** WhatsApp is the simulator (a demonstration or a test), not a real number */
      simulator: z.boolean(),
    }),
    access: 'public',
    audit: 'failures',
  }),
  'system.computer': defineOperation({
    summary: 'The computer LexDesk runs on (operating system, processor, the disks of the data and backup folders) and the versions of LexDesk and its parts.',
    input: z.object({}).strict(),
    output: ComputerInfo,
    access: 'monitoring.read',
    audit: 'failures',
  }),
  'system.doctor': defineOperation({
    summary: 'The production checklist: secrets, backups, disks, the public address, /metrics, administrators, the clock and the audit chain, each ok, warn or fail with its fix.',
    input: z.object({}).strict(),
    output: DoctorReport,
    access: 'monitoring.manage',
    audit: 'failures',
  }),
};
