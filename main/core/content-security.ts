/**
 * The screens' Content-Security-Policy, one definition for both faces (the
 * desktop's window and the headless server's answers): only our own scripts,
 * styles, fonts and connections, images also from data: and blob: URLs (previews,
 * QR codes), audio from blob: URLs (a client's voice note), pdf.js's worker from our origin, no plugins, no <base>, and no framing by any page.
 *
 * `formAction` is where a form may be submitted: the headless screens are served
 * by their own origin ('self'); the desktop's app:// origin has no server to take
 * a form ('none').
 */
export function contentSecurityPolicy(options: { formAction: "'self'" | "'none'" }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    // a voice note plays from the blob LexDesk fetched; pdf.js draws in its own worker
    "media-src 'self' blob:",
    "worker-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `form-action ${options.formAction}`,
    "frame-ancestors 'none'",
  ].join('; ');
}
