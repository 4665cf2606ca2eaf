/** Types of scripts/check-workers.mjs, for the tests that run it. */
export interface WorkerTarget {
  caller: string;
  target: string;
  compiled: string;
  unpacked: boolean;
  files: number;
  packages: string[];
}
export function globToRegExp(glob: string): RegExp;
export function checkWorkers(options: {
  root?: string;
  config: { files?: string[]; asarUnpack?: string[]; asar?: boolean };
  requireBuilt?: boolean;
}): { workers: WorkerTarget[]; problems: string[] };
