import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { InputOf, OperationName, OutputOf } from '../../shared/contract/index.js';
import type { EventType, ServerEvent } from '../../shared/events.js';
import type { ApiCallError } from './api/index.js';
import { useApi } from './context.js';
import { asApiError } from './errors.js';

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
