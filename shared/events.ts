import type { Answering } from './contract/answering.js';
import type { BackupJob, BackupKind } from './contract/backup.js';
import type { UpdateStatus } from './contract/updates.js';
import type { Access } from './permissions.js';

/**
 * Pushes from the core to the screens (IPC on the desktop, server-sent events in
 * headless mode). Each type names who may receive it; faces deliver an event only
 * where `visibleTo` (main/core/events.ts) allows: a signed-in viewer whose role
 * allows it, and a session's own end to that session.
 */
export interface EventPayloads {
  /** the core is going down (restart, restore, shutdown) */
  'system.stopping': { reason: string };
  /** an audit export being written (headless download or desktop file) */
  'audit.export.progress': {
    exportId: string;
    state: 'running' | 'done' | 'failed' | 'cancelled';
    rows: number;
    /** how far through the filtered time span, 0–1, when known */
    fraction: number | null;
    message?: string;
  };
  /** a verification of the audit chain finished */
  'audit.verified': { intact: boolean; rows: number; brokenAt: number | null; message: string };
  /** a conversation changed: a message in or out, a hand-off, a take-over, a new intake */
  'inbox.changed': { conversationId: number; reason: 'message' | 'intake' | 'waiting' | 'staff' | 'delivery' };
  /** a conversation was handed to staff: the client asked, the bot did not understand, a data request, a resolved one reopened */
  'inbox.handedOff': { conversationId: number; displayName: string; reason: string; preview: string | null };
  /** a client whose conversation is with staff (waiting, or given to someone) wrote again */
  'inbox.waiting': { conversationId: number; displayName: string; waitingSince: string | null; preview: string | null; assignedToId: string | null };
  /** a conversation was given to someone (or to nobody) */
  'inbox.assigned': { conversationId: number; displayName: string; to: { id: string; name: string } | null; byName: string; note: string | null };
  /** a colleague started or stopped writing in a conversation */
  'inbox.presence': { conversationId: number; userId: string; name: string; typing: boolean };
  /** a colleague named someone in a note: for that member only (`forUserId`) */
  'inbox.mention': { conversationId: number; displayName: string; byName: string; text: string; forUserId: string };
  /** a matter changed: created, status, note, conflict cleared, document */
  'matters.changed': { matterId: number };
  /** a backup, verification or restore moved on a step (to the Backups screen) */
  'backup.progress': BackupJob & { kind: BackupKind | null };
  /** a backup job ended */
  'backup.finished': { jobId: string; operation: BackupJob['operation']; outcome: 'ok' | 'failed'; id: string | null; message: string | null };
  /** a session ended (sign-out, revoked, reuse, role change…); its screens return to sign-in. For that session and admins only */
  'auth.session.ended': { sessionId: string };
  /** an alert fired, resolved or was acknowledged */
  'monitoring.alert': {
    id: number;
    ruleId: string;
    state: 'firing' | 'resolved' | 'acknowledged';
    title: string;
    severity: 'warning' | 'critical';
  };
  /** the WhatsApp link changed state (shared/contract/whatsapp.ts describes the fields) */
  'whatsapp.state': WhatsAppStateEvent;
  /** the QR to scan, or null once there is none; only for those who may link the number */
  'whatsapp.qr': { qr: string | null };
  /** the simulator delivered a message to or from a simulated client */
  'simulator.message': { from: string; direction: 'in' | 'out' };
  /** the bot was paused or resumed */
  'bot.answering': Answering;
  /** the desktop update moved on (found, downloading, ready to install, waiting for a backup…) */
  'system.update': UpdateStatus;
  /**
   * Desktop only, from the main process to its own window: show a screen (a
   * notification or a menu item was clicked).
   */
  'desktop.open': { screen: 'inbox' | 'about' | 'overview' | 'whatsapp'; conversationId?: number };
}

export interface WhatsAppStateEvent {
  state: 'stopped' | 'starting' | 'qr' | 'authenticated' | 'ready' | 'reconnecting' | 'logged_out' | 'failed';
  since: string;
  number: string | null;
  reason: string | null;
  reconnects: number;
  retryAt: string | null;
}

export type EventType = keyof EventPayloads;

export type ServerEvent = { [T in EventType]: { type: T; at: string; data: EventPayloads[T] } }[EventType];

export const EVENT_ACCESS: Record<EventType, Access> = {
  'system.stopping': 'public',
  'audit.export.progress': 'audit.all',
  'audit.verified': 'audit.all',
  'inbox.changed': 'conversations',
  'inbox.handedOff': 'conversations',
  'inbox.waiting': 'conversations',
  'inbox.assigned': 'conversations',
  'inbox.presence': 'conversations',
  // and only to the member named (visibleTo)
  'inbox.mention': 'conversations',
  'matters.changed': 'matters',
  'backup.progress': 'backups.manage',
  'backup.finished': 'backups.manage',
  // and always to the session that ended (visibleTo)
  'auth.session.ended': 'users.manage',
  'monitoring.alert': 'monitoring.read',
  'whatsapp.state': 'whatsapp.read',
  'whatsapp.qr': 'whatsapp.manage',
  'simulator.message': 'simulator',
  'bot.answering': 'whatsapp.read',
  'system.update': 'authenticated',
  'desktop.open': 'authenticated',
};
