import { contentSecurityPolicy } from '../core/content-security.js';

/** Headers on every response of the headless face (OWASP secure headers). */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': contentSecurityPolicy({ formAction: "'self'" }),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** One year, the subdomains too: what browsers' preload lists ask for. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The security headers for this server: with `LEXDESK_PUBLIC_URL` on https, also
 * Strict-Transport-Security, so a browser that once reached LexDesk over https
 * never again tries it over plain http (where a network could read the sign-in).
 */
export function securityHeadersFor(publicUrl: string | undefined): Record<string, string> {
  return publicUrl?.startsWith('https:') ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS } : SECURITY_HEADERS;
}
