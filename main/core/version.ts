import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The version in package.json, found from the source tree and from dist/ alike. */
function readVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'lexdesk' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const APP_VERSION = readVersion();
