/**
 * Coalesces transcript ops for the webview: at most one message per interval, consecutive appends to the
 * same item merged into one. A fast stream of thousands of chunks a second becomes ~60 small messages a
 * second: one per frame, so batching adds at most a frame to what the user waits for a chunk (at 33 ms the
 * batcher alone took most of the 50 ms a chunk may take from the model to the screen).
 * Plain code with an injectable clock, so it is tested without vscode and without sleeping.
 */
import type { TranscriptOp } from '../webview/protocol';

export interface BatchClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: BatchClock = {
  now: () => performance.now(),
  setTimeout: (cb, ms) => setTimeout(cb, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class OpBatcher {
  private pending: TranscriptOp[] = [];
  private timer: unknown;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: (ops: TranscriptOp[]) => void,
    private readonly intervalMs = 16,
    private readonly clock: BatchClock = realClock,
  ) {}

  get pendingCount(): number {
    return this.pending.length;
  }

  push(op: TranscriptOp): void {
    const last = this.pending[this.pending.length - 1];
    if (op.op === 'append' && last?.op === 'append' && last.id === op.id) {
      this.pending[this.pending.length - 1] = { op: 'append', id: op.id, text: last.text + op.text };
    } else if (op.op === 'clear') {
      this.pending = [op];
    } else {
      this.pending.push(op);
    }
    this.schedule();
  }

  /** Sends what is pending now (before a status change, so the webview sees text before "turn ended"). */
  flush(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const ops = this.pending;
    this.pending = [];
    this.lastFlush = this.clock.now();
    this.send(ops);
  }

  /** Drops what is pending (the webview is about to get a full snapshot that includes it). */
  discard(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
