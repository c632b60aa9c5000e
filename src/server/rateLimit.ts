/**
 * Per-connection inbound rate limit: a token bucket (`ratePerSecond` refill, `burst` capacity) decides
 * whether a message is served; a connection that has more than `maxRefused` messages refused within one
 * `windowMs` is flooding and gets closed. Pure logic with an injected clock, so it is tested without timers.
 */

export interface RateLimitOptions {
  /** Sustained messages per second. 0 turns the limit off. */
  ratePerSecond: number;
  /** Messages a client may send at once before the sustained rate applies. */
  burst: number;
  /** Refused messages tolerated within `windowMs` before the connection is closed. */
  maxRefused: number;
  windowMs: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token. */
  waitMs(): number {
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }
}

/** `pass`: serve it; `refuse`: answer it with a rate-limit error; `flood`: close the connection. */
export type RateVerdict = 'pass' | 'refuse' | 'flood';

export class RateLimiter {
  private readonly bucket: TokenBucket | undefined;
  private windowStart = 0;
  /** Refused messages in the current window (1 right after the first refusal: the moment to log). */
  refusedInWindow = 0;
  /** Messages refused over the connection's life, for the log line at close. */
  refusedTotal = 0;

  constructor(
    readonly options: RateLimitOptions,
    now: number,
  ) {
    this.bucket = options.ratePerSecond > 0 ? new TokenBucket(options.ratePerSecond, options.burst, now) : undefined;
  }

  admit(now: number): RateVerdict {
    if (!this.bucket || this.bucket.take(now)) return 'pass';
    this.refusedTotal++;
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow++;
    return this.refusedInWindow > this.options.maxRefused ? 'flood' : 'refuse';
  }

  retryAfterMs(): number {
    return this.bucket?.waitMs() ?? 0;
  }

  describe(): string {
    return `${this.options.ratePerSecond} messages/s, burst ${this.options.burst}`;
  }
}
