import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding LexDesk's package.json, from the source tree, dist/ or an asar bundle. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'lexdesk') return dir;
      } catch {
        // keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the LexDesk package folder');
    dir = parent;
  }
}

/** Where `vite build` puts the screens. */
export function rendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}
