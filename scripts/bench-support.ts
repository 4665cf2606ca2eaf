/* What the benchmark scripts share: percentiles of timed samples, how they print, a seeded random source. */

export function stats(samples: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

export const ms = (v: number): string => `${v.toFixed(2)} ms`;

/** The same pseudo-random sequence every run, so two runs time the same data. */
export function seeded(start = 42): { rand: () => number; pick: <T>(list: readonly T[]) => T } {
  let seed = start;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return { rand, pick: <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]! };
}
