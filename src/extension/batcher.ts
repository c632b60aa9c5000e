/**
 * Coalesces transcript ops for the webview, consecutive appends to the same item merged into one. At a model's
 * pace a message goes out at most every `paceMs`, so a chunk waits a few milliseconds at most: holding every
 * chunk to a 16 ms frame made the median chunk wait 8 ms in the extension host at 100 chunks/s, and its p99
 * 17 ms, most of what the chat added to VS Code's own relay. Once one message carries more than
 * `PACED_PUSHES` ops the stream is faster than that (a burst of thousands of chunks a second), and it is held
 * to one message per `intervalMs`: ~60 messages a second, one per frame, so the webview's frames are not
 * crowded by messages (at 8 ms apart a burst froze the webview twice as long).
 * Plain code with an injectable clock, so it is tested without vscode and without sleeping.
 */import type { TranscriptOp } from '../webview/protocol';

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

/** Ops one message may carry and still count as a model's pace: one, or two when a timer ran late. */
const PACED_PUSHES = 2;

export class OpBatcher {
  private pending: TranscriptOp[] = [];
  private pushes = 0;
  private bursting = false;
  private timer: unknown;
  private lastFlush = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: (ops: TranscriptOp[]) => void,
    private readonly intervalMs = 16,
    private readonly clock: BatchClock = realClock,
    private readonly paceMs = Math.min(8, intervalMs),
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
    this.pushes++;
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
    this.bursting = this.pushes > PACED_PUSHES;
    this.pushes = 0;
    this.lastFlush = this.clock.now();
    this.send(ops);
  }

  /** Drops what is pending (the webview is about to get a full snapshot that includes it). */
  discard(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pushes = 0;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    // Still a timer when sending at once: the ops of one event-loop turn (one update's blocks) go as one message.
    const wait = Math.max(0, this.lastFlush + (this.bursting ? this.intervalMs : this.paceMs) - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
