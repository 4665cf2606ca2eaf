/// <reference types="electron" />
import type { ServerEvent } from '../../shared/events.js';
import { roleAllows, type Access } from '../../shared/permissions.js';
import type { Principal } from '../core/dispatch.js';
import type { Logger } from '../core/log.js';
import type { AlertNotifier } from '../core/monitoring/index.js';

/* What the desktop tells staff outside the window: OS notifications for the front
   desk (hand-offs, waiting clients) and for alerts, and the count on the dock or
   taskbar. Nothing here imports electron: main.ts passes Electron's pieces in. */

/** The parts of an Electron Notification this uses (the real one fits). */
export type NotificationLike = Pick<Electron.Notification, 'show'> & {
  on(event: 'click', listener: (event: Electron.Event) => void): unknown;
};

export interface NotificationDeps {
  /** Electron's Notification.isSupported */
  isSupported: () => boolean;
  /** `new Notification(options)` */
  create: (options: Electron.NotificationConstructorOptions) => NotificationLike;
  /** who is signed in in the window: notifications follow the same rule as the screens */
  viewer: () => Principal | null;
  log: Logger;
}

/**
 * The small set of front-desk events the desktop notifies about. Today they come
 * from `inbox.changed` (the bot handing over, a waiting client writing again);
 * the team inbox's `inbox.handedOff` and `inbox.waiting` map onto the same two
 * when they exist (see `deskEventOf`), so nothing else needs to change.
 */
export type DeskEvent = { type: 'handedOff'; conversationId: number } | { type: 'waiting'; conversationId: number };

/** Which conversation mode a conversation is in now (core query), for telling a waiting client's message apart. */
export type ModeOf = (conversationId: number) => 'bot' | 'waiting' | 'staff' | null;

export function deskEventOf(event: ServerEvent, _modeOf?: ModeOf): DeskEvent | null {
  // the team inbox says when a client is handed to staff, and when one with staff writes again
  if (event.type === 'inbox.handedOff') return { type: 'handedOff', conversationId: event.data.conversationId };
  if (event.type === 'inbox.waiting') return { type: 'waiting', conversationId: event.data.conversationId };
  return null;
}

/** The words of each notification. No client's name, number or message: a notification can show on a locked screen. */
export const DESK_NOTICE: Record<DeskEvent['type'], { title: string; body: string }> = {
  handedOff: { title: 'A client asked for a person', body: 'The bot handed a WhatsApp conversation to staff. Click to open it.' },
  waiting: { title: 'A client is waiting', body: 'A client waiting for staff wrote again. Click to open the conversation.' },
};

/** The same conversation is not announced again for this long. */
const REPEAT_AFTER_MS = 5 * 60_000;

function may(viewer: Principal | null, access: Access): boolean {
  return viewer !== null && !viewer.allowedOperations && roleAllows(viewer.role, access);
}

/**
 * OS notifications for the front desk. `onEvent` takes every core event; those of
 * the desk set become a notification for a viewer who may read conversations,
 * and clicking one opens that conversation (`openConversation`).
 */
export class DeskNotifier {
  private readonly lastShown = new Map<number, number>();

  constructor(
    private readonly deps: NotificationDeps & {
      modeOf: ModeOf;
      openConversation: (conversationId: number) => void;
      now?: () => number;
    },
  ) {}

  onEvent(event: ServerEvent): void {
    let desk: DeskEvent | null;
    try {
      desk = deskEventOf(event, this.deps.modeOf);
    } catch (err) {
      this.deps.log.warn({ err }, 'could not tell whether a conversation waits for staff');
      return;
    }
    if (desk) this.notify(desk);
  }

  notify(desk: DeskEvent): boolean {
    if (!may(this.deps.viewer(), 'conversations') || !this.deps.isSupported()) return false;
    const now = this.deps.now?.() ?? Date.now();
    const last = this.lastShown.get(desk.conversationId);
    if (last !== undefined && now - last < REPEAT_AFTER_MS) return false;
    this.lastShown.set(desk.conversationId, now);
    const words = DESK_NOTICE[desk.type];
    const notification = this.deps.create({ title: words.title, body: words.body, silent: false });
    notification.on('click', () => this.deps.openConversation(desk.conversationId));
    notification.show();
    return true;
  }
}

/**
 * Alerts as OS notifications, for those who may read monitoring (the alert banner's
 * rule). Critical ones (the disk full, a failed backup, WhatsApp logged out) are
 * urgent and make a sound; clicking brings the window forward, where the banner
 * shows the alert.
 */
export function createDesktopNotifier(deps: NotificationDeps & { onClick: () => void }): AlertNotifier {
  return {
    notify({ title, body, severity }) {
      if (!may(deps.viewer(), 'monitoring.read') || !deps.isSupported()) return;
      const notification = deps.create({
        title: `LexDesk: ${title}`,
        body,
        urgency: severity === 'critical' ? 'critical' : 'normal',
        silent: severity !== 'critical',
      });
      notification.on('click', deps.onClick);
      notification.show();
    },
  };
}

/**
 * WhatsApp logged out is not an alert rule (a logged-out link reports no data),
 * yet the bot has stopped for good until someone links the number again: those
 * who may link it hear of it at once.
 */
export function linkLossNotice(event: ServerEvent, previous: string | null): { title: string; body: string } | null {
  if (event.type !== 'whatsapp.state' || event.data.state !== 'logged_out' || previous === 'logged_out') return null;
  return {
    title: 'LexDesk: WhatsApp was logged out',
    body: 'The bot cannot answer clients until the office number is linked again. Open LexDesk and scan the QR code on the WhatsApp screen.',
  };
}

export class LinkLossNotifier {
  private previous: string | null = null;
  constructor(private readonly deps: NotificationDeps & { onClick: () => void }) {}

  onEvent(event: ServerEvent): void {
    if (event.type !== 'whatsapp.state') return;
    const notice = linkLossNotice(event, this.previous);
    this.previous = event.data.state;
    if (!notice || !may(this.deps.viewer(), 'whatsapp.manage') || !this.deps.isSupported()) return;
    const notification = this.deps.create({ ...notice, urgency: 'critical', silent: false });
    notification.on('click', this.deps.onClick);
    notification.show();
  }
}
