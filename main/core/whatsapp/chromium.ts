import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** No browser to drive WhatsApp Web; the message says what to do. */
export class ChromiumNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumNotFoundError';
  }
}

/** Where Chrome, Chromium and Edge are usually installed, in the order we prefer them. */
export function chromiumCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const roots = [env['PROGRAMFILES'], env['PROGRAMFILES(X86)'], env['LOCALAPPDATA']].filter((r): r is string => !!r);
    const suffixes = [
      ['Google', 'Chrome', 'Application', 'chrome.exe'],
      ['Chromium', 'Application', 'chrome.exe'],
      ['Microsoft', 'Edge', 'Application', 'msedge.exe'],
    ];
    return suffixes.flatMap((suffix) => roots.map((root) => [root, ...suffix].join('\\')));
  }
  if (platform === 'darwin') {
    const apps = [
      'Google Chrome.app/Contents/MacOS/Google Chrome',
      'Chromium.app/Contents/MacOS/Chromium',
      'Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
    ];
    return apps.flatMap((app) => [join('/Applications', app), join(homedir(), 'Applications', app)]);
  }
  return [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
    '/usr/bin/microsoft-edge',
    '/usr/bin/microsoft-edge-stable',
  ];
}

/**
 * The browser whatsapp-web.js drives: LEXDESK_CHROMIUM_PATH when set, else the
 * first usual install path that exists. Throws ChromiumNotFoundError with what to do.
 */
export function findChromium(
  configured: string | undefined,
  options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; exists?: (path: string) => boolean } = {},
): string {
  const exists = options.exists ?? existsSync;
  if (configured) {
    if (exists(configured)) return configured;
    throw new ChromiumNotFoundError(
      `LEXDESK_CHROMIUM_PATH is set to ${configured}, but there is no browser there. Correct the path or unset it to search the usual places.`,
    );
  }
  const candidates = chromiumCandidates(options.platform, options.env);
  const found = candidates.find((path) => exists(path));
  if (found) return found;
  throw new ChromiumNotFoundError(
    'WhatsApp needs Google Chrome, Chromium or Microsoft Edge, and none was found. ' +
      'Install one, or set LEXDESK_CHROMIUM_PATH to its executable.',
  );
}
