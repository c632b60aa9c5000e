/**
 * What a benchmark module returns, and how bench/index.ts judges and prints it: every figure carries the
 * value of each round, is printed as min / median / max, and its median is judged against its target, so that
 * a figure only a lucky round reaches is not reported as met. Targets that are ratios are computed per round
 * against a baseline measured in the same round (load that comes and goes cancels out).
 */

/** `value op limit` must hold for the median. */
export interface Target {
  op: '<' | '<=' | '>=' | '>';
  limit: number;
}

export interface Figure {
  name: string;
  /** One value per round. */
  rounds: number[];
  unit: string;
  /** Decimals to print. */
  digits?: number;
  target?: Target;
  /** The baseline it was measured against, in words, with its own figures (e.g. "raw ws 98,441 chunks/s"). */
  baseline?: string;
}

export type Verdict = 'PASS' | 'MISS' | '—';

export function verdict(figure: Figure): Verdict {
  if (!figure.target) return '—';
  const m = median(figure.rounds);
  if (!Number.isFinite(m)) return 'MISS';
  const { op, limit } = figure.target;
  const ok = op === '<' ? m < limit : op === '<=' ? m <= limit : op === '>=' ? m >= limit : m > limit;
  return ok ? 'PASS' : 'MISS';
}

/** Nearest-rank percentile of `values` (in any order). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export const KiB = 1024;
export const MiB = 1024 * 1024;

/** One line per figure: min / median / max over its rounds, every round, and the verdict of the median. */
export function formatFigure(f: Figure): string {
  const d = f.digits ?? 1;
  const v = (x: number) => `${fmt(x, d)}${f.unit ? ' ' + f.unit : ''}`;
  const sorted = [...f.rounds].sort((a, b) => a - b);
  const target = f.target ? `   target ${f.target.op} ${f.target.limit}: ${verdict(f)}` : '';
  return (
    `  ${f.name}\n` +
    `    min ${v(sorted[0])} / median ${v(median(f.rounds))} / max ${v(sorted[sorted.length - 1])}${target}\n` +
    `    rounds: ${f.rounds.map((x) => fmt(x, d)).join(', ')}${f.baseline ? `\n    baseline: ${f.baseline}` : ''}`
  );
}

/** Prints the figures; true when every target was met. */
export function printFigures(figures: Figure[]): boolean {
  for (const f of figures) process.stdout.write(formatFigure(f) + '\n');
  return figures.every((f) => verdict(f) !== 'MISS');
}

/** Runs `once` `rounds` times in a row and returns every result. */
export async function repeat<T>(rounds: number, once: (round: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rounds; i++) out.push(await once(i));
  return out;
}
