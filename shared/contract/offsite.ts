import { z } from 'zod';
import { defineOperation } from './define.js';
import { sensitive } from './sensitive.js';

/** Another folder: a NAS share, an external disk, a folder a cloud client syncs. */
export const FolderTargetConfig = z.object({
  kind: z.literal('folder'),
  path: z.string().min(1, 'Give the full path of the folder.').max(1000),
});
/** A folder on an SSH server. */
export const SftpTargetConfig = z.object({
  kind: z.literal('sftp'),
  host: z.string().min(1, 'Give the server name or address.').max(253).regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or an address'),
  port: z.number().int().min(1).max(65535),
  username: z.string().min(1, 'Give the user name on the server.').max(200),
  path: z.string().min(1, 'Give the folder on the server, e.g. /backups/lexdesk.').max(1000),
  auth: z.enum(['password', 'key']),
});
/** An S3-compatible bucket: AWS, Backblaze B2, Wasabi, MinIO… */
export const S3TargetConfig = z.object({
  kind: z.literal('s3'),
  /** empty for AWS itself, e.g. https://s3.eu-central-003.backblazeb2.com or http://minio.local:9000 */
  endpoint: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' })]),
  region: z.string().min(1, 'Give the region, e.g. eu-central-1 (MinIO: us-east-1).').max(100),
  bucket: z.string().min(3, 'Give the bucket name.').max(255),
  prefix: z.string().max(500),
  /** MinIO and most other S3-compatible services want path-style addresses */
  pathStyle: z.boolean(),
  accessKeyId: z.string().min(1, 'Give the access key id.').max(500),
});
export const TargetConfig = z.discriminatedUnion('kind', [FolderTargetConfig, SftpTargetConfig, S3TargetConfig]);
export type TargetConfig = z.infer<typeof TargetConfig>;

/** Secrets for a target: kept in the secret store only, never shown again. */
export const TargetCredentials = z
  .object({
    password: sensitive(z.string().max(1024)).optional(),
    privateKey: sensitive(z.string().max(32_768)).optional(),
    secretAccessKey: sensitive(z.string().max(1024)).optional(),
  })
  .strict();
export type TargetCredentials = z.infer<typeof TargetCredentials>;

export const OffsiteProblem = z.object({ name: z.string(), problem: z.string() });

export const OffsiteStatus = z.object({
  /** null: no off-site copy is set up */
  target: TargetConfig.nullable(),
  /** "sftp://nas.local:22/backups", never a credential */
  label: z.string().nullable(),
  /** which secrets the secret store holds for it */
  stored: z.object({ password: z.boolean(), privateKey: z.boolean(), secretAccessKey: z.boolean() }),
  /** the SSH server's host key as recorded at the first successful test or copy */
  hostKey: z.string().nullable(),
  /** the last copy that finished: the target then held everything the backup folder held */
  lastSuccessAt: z.string().nullable(),
  lastCopy: z
    .object({
      at: z.string(),
      ok: z.boolean(),
      message: z.string(),
      uploaded: z.number().int(),
      uploadedBytes: z.number().int(),
      deleted: z.number().int(),
      durationMs: z.number().int(),
    })
    .nullable(),
  /** hours since lastSuccessAt (null: never copied) */
  lagHours: z.number().nullable(),
  alertAfterHours: z.number(),
  lagging: z.boolean(),
  lastVerify: z
    .object({ at: z.string(), full: z.boolean(), ok: z.boolean(), checked: z.number().int(), message: z.string(), problems: z.array(OffsiteProblem) })
    .nullable(),
  lastFullVerifyAt: z.string().nullable(),
  running: z.enum(['copy', 'verify']).nullable(),
  /** the backups whose files are all on the target, as last seen there */
  backupsThere: z.array(z.string()),
});
export type OffsiteStatus = z.infer<typeof OffsiteStatus>;

export const offsiteOperations = {
  'backup.offsite.get': defineOperation({
    summary: 'The off-site copy: its target (without secrets), the last copy, how far behind it is, the last verification.',
    input: z.object({}).strict(),
    output: OffsiteStatus,
    access: 'backups.manage',
    audit: 'failures',
  }),
  'backup.offsite.set': defineOperation({
    summary:
      'Sets the off-site target (another folder, SFTP or S3-compatible) and its credentials, which go to the secret store only; null turns the off-site copy off.',
    input: z.object({ target: TargetConfig.nullable(), credentials: TargetCredentials.optional() }).strict(),
    output: OffsiteStatus,
    access: 'backups.manage',
  }),
  'backup.offsite.test': defineOperation({
    summary:
      'Connects to a target (the one given, else the one set), writes, reads back and deletes a test file; answers in a sentence either way.',
    input: z.object({ target: TargetConfig.optional(), credentials: TargetCredentials.optional() }).strict(),
    output: z.object({ ok: z.boolean(), message: z.string(), hostKey: z.string().nullable() }),
    access: 'backups.manage',
  }),
  'backup.firstRunRestore': defineOperation({
    summary:
      'First run on a new computer: downloads the backups from the off-site copy (credentials for this download only) and restores the newest with the backup passphrase; the accounts come back with it. Refused once any account exists.',
    input: z
      .object({
        target: TargetConfig,
        credentials: TargetCredentials.optional(),
        passphrase: sensitive(z.string().min(1).max(1024)),
        /** SFTP: refuse a server that shows another host key */
        hostKey: z.string().max(200).optional(),
        setupCode: sensitive(z.string().max(100)).optional(),
      })
      .strict(),
    output: z.object({
      id: z.string(),
      createdAt: z.string(),
      fetchedFiles: z.number().int(),
      fetchedBytes: z.number().int(),
      hostKey: z.string().nullable(),
    }),
    access: 'public',
  }),
  'backup.offsite.copyNow': defineOperation({
    summary: 'Copies to the off-site target what it lacks now (the newest objects last), then answers how it stands.',
    input: z.object({ verify: z.enum(['sample', 'full']).optional() }).strict(),
    output: OffsiteStatus,
    access: 'backups.manage',
  }),
};
