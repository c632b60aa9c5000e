/**
 * Reconnect delays: exponential with full jitter (uniform in [0, min(max, initial·2ⁿ)]), so many clients
 * that lost the same server do not come back in lockstep. The caller resets it once a connection proved
 * stable (stayed up `minUptimeMs`), never merely because a connect succeeded.
 */
import type { ReconnectOptions } from './types';

export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: ReconnectOptions,
    private readonly random: () => number,
  ) {}

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.failures;
  }

  /** Upper bound of the delay before attempt `n` (1-based). */
  bound(n: number): number {
    return Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** Math.max(0, n - 1));
  }

  /** Counts one more attempt and returns how long to wait before it. */
  next(): number {
    this.failures++;
    return Math.floor(this.random() * this.bound(this.failures));
  }

  reset(): void {
    this.failures = 0;
  }
}
