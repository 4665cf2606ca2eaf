import { Worker } from 'node:worker_threads';

/**
 * This module as a .ts file means LexDesk runs from its TypeScript sources (vitest,
 * tsx: the tests and benchmarks); as a .js file, from the build (dist/, or the
 * Electron asar), where every worker entry has been compiled next to its caller.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Starts a worker thread. `url` is the compiled entry, named as the caller's own
 * imports are (`new URL('./password-worker.js', import.meta.url)`); `data` is its
 * workerData. Run from the sources there is no .js yet: the worker first registers
 * tsx, then loads the .ts beside that name. tsx is a development dependency, so a
 * build never looks for it.
 */
export function startWorker(url: URL, data?: unknown): Worker {
  if (!FROM_SOURCES) return new Worker(url, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = url.href.replace(/\.js$/, '.ts');
  return new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`, {
    eval: true,
    workerData: data,
  });
}
