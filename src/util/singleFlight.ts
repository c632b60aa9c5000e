/**
 * Single-flight start: callers that ask while an attempt is in progress share it, and the first call after it
 * settled starts a fresh one. A caller tearing down takes the attempt in progress with `take`, so that later
 * callers start anew instead of joining what is being torn down.
 */
export class SingleFlight<T> {
  private current: Promise<T> | undefined;

  /** The attempt in progress, to wait for without starting one. */
  get pending(): Promise<T> | undefined {
    return this.current;
  }

  run(start: () => Promise<T>): Promise<T> {
    if (this.current) return this.current;
    const attempt = start().finally(() => {
      if (this.current === attempt) this.current = undefined;
    });
    this.current = attempt;
    return attempt;
  }

  /** The attempt in progress, if any; the next `run` does not join it. */
  take(): Promise<T> | undefined {
    const attempt = this.current;
    this.current = undefined;
    return attempt;
  }
}
