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
