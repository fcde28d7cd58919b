/**
 * The nearest-rank percentile, shared by the tools that summarise many requests (`--repeat`
 * statistics, the run summary).
 * @module
 */

/** The nearest-rank percentile `p` (0–100) of `sorted` (ascending, not empty). */
export function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
