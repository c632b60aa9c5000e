/** A jsdom window for the webview's pure DOM code (markdown rendering, sanitizing). */
import { JSDOM } from 'jsdom';

export function domWindow(): Window & typeof globalThis {
  return new JSDOM('<!DOCTYPE html><html><body></body></html>').window as unknown as Window & typeof globalThis;
}

/** A scheduler that runs frames only when the test says so. */
export function manualFrames(): { schedule: (cb: () => void) => void; run: () => number } {
  let queue: (() => void)[] = [];
  return {
    schedule: (cb) => queue.push(cb),
    run: () => {
      const batch = queue;
      queue = [];
      for (const cb of batch) cb();
      return batch.length;
    },
  };
}
