import { SESSION_END_OPERATIONS, SESSION_GRANT_OPERATIONS } from '../../../shared/contract/auth.js';
import type { Result } from '../../../shared/errors.js';

export interface TokenHandOff {
  /** the answer for the screens, without the tokens they must not hold */
  result: Result<unknown>;
  /** a new access token the face keeps (desktop) instead of passing it on */
  access?: { token: string; expiresAt: string };
  /** a new refresh token for the face to keep (cookie or main-process memory) */
  refresh?: { token: string; expiresAt: string };
  /** the face must forget the caller's tokens (signed out, or the refresh token no longer works) */
  forget: boolean;
}

const GRANTS: readonly string[] = SESSION_GRANT_OPERATIONS;
const ENDS: readonly string[] = SESSION_END_OPERATIONS;

/**
 * The one rule both faces follow for tokens in answers: the refresh token never
 * reaches a screen, and on the desktop neither does the access token. Faces call
 * this after `dispatch` and act on what it hands back; they decide nothing else.
 */
export function takeSessionTokens(operation: string, result: Result<unknown>, options: { keepAccessToken: boolean }): TokenHandOff {
  if (ENDS.includes(operation)) return { result, forget: true };
  if (!GRANTS.includes(operation)) return { result, forget: false };
  if (!result.ok) return { result, forget: operation === 'auth.refresh' && result.error.code === 'unauthenticated' };
  const { refreshToken, refreshExpiresAt, accessToken, ...rest } = result.value as {
    refreshToken: string;
    refreshExpiresAt: string;
    accessToken: string;
    expiresAt: string;
  };
  const refresh = { token: refreshToken, expiresAt: refreshExpiresAt };
  if (options.keepAccessToken) {
    return { result: { ok: true, value: { ...rest, accessToken } }, refresh, forget: false };
  }
  return { result: { ok: true, value: rest }, refresh, access: { token: accessToken, expiresAt: rest.expiresAt }, forget: false };
}
