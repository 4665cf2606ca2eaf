import type { EventPayloads, EventType, ServerEvent } from '../../shared/events.js';
import type { Clock } from './clock.js';

export type EventListener = (event: ServerEvent) => void;

/** Pushes from the core to whatever face is listening. Faces filter by EVENT_ACCESS. */
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
