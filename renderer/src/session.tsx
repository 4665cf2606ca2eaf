import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { SessionUser } from '../../shared/contract/auth.js';
import type { InputOf, OperationName, OutputOf } from '../../shared/contract/index.js';
import { ApiCallError, type Api } from './api/index.js';
import { ApiProvider } from './context.js';

/**
 * Who is signed in on this screen, and the sign-in plumbing the screens never see:
 *
 * - the access token lives only in the HTTP client's memory (headless) or in
 *   the main process (desktop); React state holds the user and the expiry;
 * - the refresh token is an httpOnly cookie (headless) or kept by the main
 *   process (desktop), so `auth.refresh` needs no input;
 * - the session refreshes itself a minute before the access token expires;
 *   a call answered `unauthenticated` refreshes once and retries; when that
 *   fails, or the core says this session ended, the screen returns to sign-in.
 */

export type SessionPhase = 'starting' | 'setup' | 'signed-out' | 'signed-in' | 'unreachable';

export interface SessionState {
  phase: SessionPhase;
  user?: SessionUser;
  sessionId?: string;
  expiresAt?: string;
  /** set-up from another computer needs the code from the server log */
  setupCodeRequired?: boolean;
  /** why the user is looking at the sign-in screen (session ended elsewhere, expired…) */
  notice?: string;
}

interface GrantView {
  accessToken?: string;
  expiresAt: string;
  sessionId: string;
  user: SessionUser;
}

export interface Session {
  state: SessionState;
  signIn(username: string, password: string): Promise<void>;
  setup(input: { username: string; displayName: string; password: string; setupCode?: string }): Promise<void>;
  signOut(notice?: string): Promise<void>;
  /** after the user changed their own password */
  updateUser(user: SessionUser): void;
  retry(): void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

const SESSION_OPERATIONS = new Set<string>(['auth.login', 'auth.setup', 'auth.refresh', 'auth.status']);
const REFRESH_EARLY_MS = 60_000;

function hasTokenSlot(api: Api): api is Api & { setAccessToken(token: string | null): void } {
  return typeof (api as { setAccessToken?: unknown }).setAccessToken === 'function';
}

/** Runs `fn` while holding a lock shared by every tab of this origin, so two tabs never spend the same refresh token. */
async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return fn();
  return locks.request('lexdesk-refresh', fn) as Promise<T>;
}

export function SessionProvider({ api, children }: { api: Api; children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ phase: 'starting' });
  const stateRef = useRef(state);
  stateRef.current = state;
  const refreshing = useRef<Promise<boolean> | null>(null);
  const [attempt, setAttempt] = useState(0);

  const accept = useCallback(
    (grant: GrantView) => {
      if (hasTokenSlot(api)) api.setAccessToken(grant.accessToken ?? null);
      setState({ phase: 'signed-in', user: grant.user, sessionId: grant.sessionId, expiresAt: grant.expiresAt });
    },
    [api],
  );

  const drop = useCallback(
    (notice?: string) => {
      if (hasTokenSlot(api)) api.setAccessToken(null);
      setState((s) => ({ phase: 'signed-out', notice, setupCodeRequired: s.setupCodeRequired }));
    },
    [api],
  );

  /** One refresh at a time; true when the session goes on. */
  const refresh = useCallback((): Promise<boolean> => {
    refreshing.current ??= withRefreshLock(async () => {
      try {
        const grant = (await api.call('auth.refresh', {})) as GrantView;
        const current = stateRef.current;
        if (current.phase === 'signed-in' && current.user && grant.user.id !== current.user.id) {
          // someone else signed in on this browser (another tab): never switch identity under the user's feet
          if (hasTokenSlot(api)) api.setAccessToken(null);
          setState({ phase: 'signed-out', notice: `${grant.user.displayName} signed in on this browser in another tab. Sign in again to go on.` });
          return true;
        }
        accept(grant);
        return true;
      } catch (err) {
        if (err instanceof ApiCallError && err.code !== 'unauthenticated') throw err;
        return false;
      }
    }).finally(() => {
      refreshing.current = null;
    });
    return refreshing.current;
  }, [api, accept]);

  // start: first run, or resume a session (a reload keeps the refresh cookie), or sign in
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const status = await api.call('auth.status', {});
        if (cancelled) return;
        if (status.needsSetup) {
          setState({ phase: 'setup', setupCodeRequired: status.setupCodeRequired });
          return;
        }
        if (!(await refresh()) && !cancelled) setState({ phase: 'signed-out' });
      } catch {
        if (!cancelled) setState({ phase: 'unreachable' });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, refresh, attempt]);

  // silent refresh a minute before the access token expires
  useEffect(() => {
    if (state.phase !== 'signed-in' || !state.expiresAt) return;
    const due = Math.max(5_000, Date.parse(state.expiresAt) - Date.now() - REFRESH_EARLY_MS);
    const timer = setTimeout(() => {
      refresh().then(
        (alive) => {
          if (!alive) drop('Your session has ended. Please sign in again.');
        },
        () => undefined, // unreachable: the next call will tell
      );
    }, due);
    return () => clearTimeout(timer);
  }, [state.phase, state.expiresAt, refresh, drop]);

  // this device signed out elsewhere (admin, "sign out other devices", reuse detection)
  useEffect(() => {
    if (state.phase !== 'signed-in') return;
    return api.subscribe((event) => {
      if (event.type === 'auth.session.ended' && event.data.sessionId === stateRef.current.sessionId) {
        drop('This device was signed out. Please sign in again.');
      }
    });
  }, [api, state.phase, drop]);

  /** Runs a call; an `unauthenticated` answer refreshes the session once and runs it again, or ends the session. */
  const retried = useCallback(
    async <T,>(name: OperationName, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof ApiCallError) || err.code !== 'unauthenticated' || SESSION_OPERATIONS.has(name)) throw err;
        if (stateRef.current.phase !== 'signed-in') throw err;
        if (await refresh()) return run();
        drop('Your session has ended. Please sign in again.');
        throw err;
      }
    },
    [refresh, drop],
  );

  /** The Api the screens use: an `unauthenticated` answer refreshes once and retries, or ends the session. */
  const screensApi = useMemo<Api>(
    () => ({
      transport: api.transport,
      subscribe: (listener) => api.subscribe(listener),
      async call<N extends OperationName>(name: N, input: InputOf<N>): Promise<OutputOf<N>> {
        return retried(name, () => api.call(name, input));
      },
      files: {
        fetch: (documentId, disposition) => retried('documents.open', () => api.files.fetch(documentId, disposition)),
        // a file is sent once: an expired token is refreshed first, never by re-sending the body
        upload: async (target, file) => retried('documents.upload', () => api.files.upload(target, file)),
        uploadImport: async (file) => retried('imports.upload', () => api.files.uploadImport(file)),
        uploadChat: async (target, file) => retried('imports.chatUpload', () => api.files.uploadChat(target, file)),
      },
    }),
    [api, retried],
  );

  const session = useMemo<Session>(
    () => ({
      state,
      async signIn(username, password) {
        accept((await api.call('auth.login', { username, password })) as GrantView);
      },
      async setup(input) {
        accept((await api.call('auth.setup', input)) as GrantView);
      },
      async signOut(notice) {
        try {
          await screensApi.call('auth.logout', {});
        } catch {
          // signed out here in any case; the session ends by itself when idle
        }
        drop(notice);
      },
      updateUser(user) {
        setState((s) => (s.phase === 'signed-in' ? { ...s, user } : s));
      },
      retry() {
        setState({ phase: 'starting' });
        setAttempt((n) => n + 1);
      },
    }),
    [state, api, accept, drop, screensApi],
  );

  return (
    <SessionContext.Provider value={session}>
      <ApiProvider api={screensApi}>{children}</ApiProvider>
    </SessionContext.Provider>
  );
}
