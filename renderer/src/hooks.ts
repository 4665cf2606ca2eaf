import { useCallback, useEffect, useRef, useState } from 'react';
import type { InputOf, OperationName, OutputOf } from '../../shared/contract/index.js';
import { ApiCallError } from './api/index.js';
import { useApi } from './context.js';

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
        setError(err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: String(err) }));
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
