// Development only: starts a worker thread whose entry is a TypeScript source (tests and
// benchmarks run the sources; the built app runs the compiled .js worker directly).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
