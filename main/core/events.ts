import { EVENT_ACCESS, type EventPayloads, type EventType, type ServerEvent } from '../../shared/events.js';
import { roleAllows } from '../../shared/permissions.js';
import type { Clock } from './clock.js';
import type { Principal } from './dispatch.js';

export type EventListener = (event: ServerEvent) => void;

/** Pushes from the core to whatever face is listening. Faces deliver each event only where `visibleTo` allows. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly clock: Clock) {}

  emit<T extends EventType>(type: T, data: EventPayloads[T]): void {
    const event = { type, at: this.clock.now().toISOString(), data } as ServerEvent;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // one broken listener must not stop the others
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/**
 * Whether a screen signed in as `viewer` (null: nobody) may receive `event`: the
 * one check behind the event stream (headless) and the desktop's windows, with
 * the door's rules (main/core/dispatch.ts).
 *
 * - A session always hears of its own end, whoever the viewer is, so its screens
 *   can return to sign-in.
 * - A viewer limited to a few operations (a temporary password not yet changed)
 *   receives nothing else, not even public events: its screen is the password form.
 * - Otherwise the event's EVENT_ACCESS decides, as an operation's access does at
 *   the door. The end of another's session is for admins only (`users.manage`):
 *   session ids are no business of colleagues.
 * - An event that names the member it is for (`forUserId`, a mention) reaches
 *   that member alone.
 *
 *   if (visibleTo(principal, event)) stream.write(event);
 */
export function visibleTo(viewer: Principal | null, event: ServerEvent): boolean {
  if (event.type === 'auth.session.ended' && viewer !== null && event.data.sessionId === viewer.sessionId) return true;
  if (viewer?.allowedOperations) return false;
  const access = EVENT_ACCESS[event.type];
  if (access === 'public') return true;
  if (viewer === null || !roleAllows(viewer.role, access)) return false;
  // an event meant for one member (a mention) is for that member alone
  const forUser = (event.data as { forUserId?: unknown }).forUserId;
  return typeof forUser !== 'string' || forUser === viewer.userId;
}
