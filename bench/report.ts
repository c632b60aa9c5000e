/** What a benchmark module returns, and how bench/index.ts prints it. */
export interface BenchResult {
  name: string;
  value: string;
  /** The same measurement without the thing under test, from the same run. */
  baseline: string;
  /** value / baseline, as printed ("1.8×"). */
  ratio: string;
  target?: string;
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

export function ratio(value: number, baseline: number): string {
  return baseline > 0 ? `${(value / baseline).toFixed(2)}×` : 'n/a';
}

/** Nearest-rank percentile of `values` (in any order). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: number[]) => percentile(values, 50);

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function printResults(module: string, results: BenchResult[]): void {
  process.stdout.write(`\n${module}\n`);
  for (const r of results) {
    process.stdout.write(`  ${r.name}\n    ${r.value}   baseline ${r.baseline}   ratio ${r.ratio}${r.target ? `   target ${r.target}` : ''}\n`);
  }
}
