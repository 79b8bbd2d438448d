/** Summaries of repeated measurements: every figure is reported as median and p95. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    median: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    mean,
  };
}

/** Ratio of two summaries' medians and p95s (a measured against floor b). */
export function ratio(a: Summary, b: Summary): { median: number; p95: number } {
  return { median: a.median / b.median, p95: a.p95 / b.p95 };
}

export const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : "-");
export const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "-");

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export const now = (): number => performance.now();
