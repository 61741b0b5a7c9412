/** Latency figures as the benchmarks print them: milliseconds, three decimals. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Nearest-rank percentile of an ascending array (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: round3(percentile(sorted, 50)), p95: round3(percentile(sorted, 95)), p99: round3(percentile(sorted, 99)) };
}

export const elapsedMs = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;
