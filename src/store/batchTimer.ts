/**
 * The one pending write tick of a store: records appended between ticks go out together, so a burst of
 * chunks becomes one write. Scheduling while a tick is pending does nothing; it never keeps the process up.
 */
export class BatchTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly tick: () => void) {}

  schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, delayMs);
    this.timer.unref();
  }

  /** No tick runs from now on (the store closes). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
