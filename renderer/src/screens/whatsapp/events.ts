import { useEffect, useRef, useState } from 'react';
import type { EventPayloads, EventType } from '../../../../shared/events.js';
import { useApi } from '../../context.js';

/** Calls `listener` for every pushed event of one of `types` while the screen is open. */
export function useEvents<T extends EventType>(types: T[], listener: (type: T, data: EventPayloads[T]) => void): void {
  const api = useApi();
  const latest = useRef(listener);
  latest.current = listener;
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set<string>(key.split(','));
    return api.subscribe((event) => {
      if (wanted.has(event.type)) latest.current(event.type as T, event.data as EventPayloads[T]);
    });
  }, [api, key]);
}

/** A clock for "for 3 min" labels, ticking every second. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, setNow]);
  return now;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}
