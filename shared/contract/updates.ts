import { z } from 'zod';
import { defineOperation } from './define.js';

/**
 * The desktop app's own updates (electron-updater). Headless mode has no updater:
 * there `system.update` answers `available: false` with state `unsupported`, and the
 * screens show nothing about updates.
 */
export const UpdateState = z.enum([
  /** no updater on this face (headless, or a desktop run from the sources) */
  'unsupported',
  /** no feed configured (LEXDESK_UPDATE_URL) */
  'unconfigured',
  'idle',
  'checking',
  'up-to-date',
  'downloading',
  /** downloaded: "Restart to update" */
  'ready',
  /** asked to install while LexDesk was busy: it installs once the work ends */
  'waiting',
  'installing',
  'error',
]);
export type UpdateState = z.infer<typeof UpdateState>;

export const UpdateStatus = z.object({
  state: UpdateState,
  /** the version running now */
  currentVersion: z.string(),
  /** the update channel (latest, beta…) */
  channel: z.string(),
  /** where updates come from, for people: "https://updates.example/lexdesk" or "GitHub releases of owner/repo"; null when none */
  feed: z.string().nullable(),
  /** the version found, once an update is known */
  availableVersion: z.string().nullable(),
  /** 0–100 while downloading */
  percent: z.number().nullable(),
  lastCheckAt: z.string().nullable(),
  nextCheckAt: z.string().nullable(),
  /** why it waits (a backup running…) or what failed */
  message: z.string().nullable(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

const empty = z.object({}).strict();

export const updateOperations = {
  'system.update': defineOperation({
    summary: 'The desktop update: the version running, channel, last check, and an update downloaded and ready.',
    input: empty,
    output: UpdateStatus,
    access: 'authenticated',
    audit: 'failures',
  }),
  'system.update.check': defineOperation({
    summary: 'Look for a desktop update now.',
    input: empty,
    output: UpdateStatus,
    access: 'settings.manage',
  }),
  'system.update.install': defineOperation({
    summary: 'Restart LexDesk to install the downloaded update; while a backup, a restore or a staff reply is in progress it waits for it.',
    input: empty,
    output: UpdateStatus,
    access: 'settings.manage',
  }),
};
