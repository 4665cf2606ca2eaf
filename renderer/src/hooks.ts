import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { InputOf, OperationName, OutputOf } from '../../shared/contract/index.js';
import type { EventType, ServerEvent } from '../../shared/events.js';
import type { ApiCallError } from './api/index.js';
import { useApi } from './context.js';
import { asApiError, messageOf } from './errors.js';

export interface QueryState<T> {
  data: T | undefined;
  error: ApiCallError | undefined;
  loading: boolean;
  reload: () => void;
}

/** Calls an operation when the screen opens (and when `input` changes), keeping the last answer. */
export function useQuery<N extends OperationName>(
  name: N,
  input: InputOf<N>,
  options: { refreshMs?: number; enabled?: boolean } = {},
): QueryState<OutputOf<N>> {
  const api = useApi();
  const [data, setData] = useState<OutputOf<N>>();
  const [error, setError] = useState<ApiCallError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(input);
  const enabled = options.enabled ?? true;
  const generation = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const mine = ++generation.current;
    setLoading(true);
    api
      .call(name, JSON.parse(key) as InputOf<N>)
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      })
      .catch((err: unknown) => {
        if (mine !== generation.current) return;
        setError(asApiError(err));
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [api, name, key, tick, enabled]);

  useEffect(() => {
    if (!options.refreshMs || !enabled) return;
    const timer = setInterval(() => setTick((t) => t + 1), options.refreshMs);
    return () => clearInterval(timer);
  }, [options.refreshMs, enabled]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** The time now, ticking every `everyMs`: for labels such as "for 3 min 5 s". */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/**
 * Calls `onEvent` for every event of one of `types` the core pushes while the
 * component is on screen (IPC on the desktop, server-sent events in a browser).
 *
 *   useServerEvents(['monitoring.alert'], alerts.reload);
 */
export function useServerEvents<T extends EventType>(
  types: readonly T[],
  onEvent: (event: Extract<ServerEvent, { type: T }>) => void,
): void {
  const api = useApi();
  const handle = useEffectEvent(onEvent);
  const key = types.join(',');
  useEffect(() => {
    const wanted = new Set<string>(key.split(','));
    return api.subscribe((event) => {
      if (wanted.has(event.type)) handle(event as Extract<ServerEvent, { type: T }>);
    });
  }, [api, key]);
}

/**
 * An action started by a button: which one is running (`busy`: its key, or
 * `true`), and its failure as a sentence. `run` resolves to whether it worked.
 *
 *   const retry = useAction<number>();
 *   <button disabled={retry.busy === row.id} onClick={() => void retry.run(() => api.call('whatsapp.outbox.retry', { id: row.id }), row.id)}>
 */
export function useAction<K = true>() {
  const [busy, setBusy] = useState<K | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (work: () => Promise<unknown>, key?: K): Promise<boolean> => {
    setBusy(key ?? (true as K));
    setError(null);
    try {
      await work();
      return true;
    } catch (err) {
      setError(messageOf(err));
      return false;
    } finally {
      setBusy(null);
    }
  }, []);
  return { busy, error, setError, run };
}
