/**
 * The outbound side of one client: a vscode-jsonrpc writer that sends straight to the socket while the
 * client keeps up, and queues once the socket's `bufferedAmount` passes the high watermark, until it
 * drains below the low one. Everything the server sends — updates, responses, agent→client requests —
 * goes through this one queue, so a prompt's response still follows all of its updates. While queued,
 * consecutive text chunks of a session are coalesced (see coalesce.ts); nothing is dropped.
 *
 * A backlog (queued + buffered bytes) over `backlogCap` for `backlogTimeoutMs`, or over `backlogMax` at
 * any time, means the client cannot keep up: `onSlow` runs (the connection closes it with 1013) and the
 * queue is released. The sessions keep their replay buffers for a resume.
 */
import type { Disposable, Message, MessageWriter } from 'vscode-jsonrpc';
import { Listeners, nothingToDispose } from '../util/listeners';
import { frameOf, written } from '../transport/types';
import { joinRun, runMessage, startRun, textChunkOf, type ChunkRun } from './coalesce';

export interface OutboundOptions {
  /** Bytes buffered in the socket above which messages are queued. */
  highWatermark: number;
  /** Queued messages are sent again once the socket drains below this. */
  lowWatermark: number;
  /** Backlog that starts the slow-client timer. */
  backlogCap: number;
  /** How long the backlog may stay over `backlogCap`. */
  backlogTimeoutMs: number;
  /** Backlog that closes the client at once (bounds memory per client). */
  backlogMax: number;
}

/** The part of a `ws` WebSocket the queue uses. */
export interface OutboundSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string, cb?: (err?: Error) => void): void;
}

type Entry = { text: string; run?: undefined; bytes: number } | { text?: undefined; run: ChunkRun; bytes: number };

/** Framing and envelope bytes counted on top of a run's text. */
const RUN_OVERHEAD = 160;

export class OutboundQueue implements MessageWriter {
  private entries: Entry[] = [];
  private head = 0;
  private queuedBytes = 0;
  private inflight = 0;
  /** The open run of each session that later chunks may still join. */
  private readonly openRuns = new Map<string, Entry>();
  private slowTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly drainWaiters: (() => void)[] = [];
  private closed = false;
  /** Chunks merged into an earlier queued chunk, over the connection's life. */
  coalesced = 0;
  private errors: Listeners<[Error, Message | undefined, number | undefined]> | undefined;

  constructor(
    private readonly socket: OutboundSocket,
    private readonly options: OutboundOptions,
    private readonly onSlow: (reason: string) => void,
    /** Called before each send so that a burst of frames leaves in one system call. */
    private readonly cork: () => void = () => {},
  ) {}

  onError(listener: (error: [Error, Message | undefined, number | undefined]) => void, thisArg?: unknown): Disposable {
    return (this.errors ??= new Listeners()).add(listener, thisArg);
  }

  /** The queue never closes by itself (the socket's close event tells the connection). */
  onClose(): Disposable {
    return nothingToDispose;
  }

  get queuedCount(): number {
    return this.entries.length - this.head;
  }

  /** Queued plus socket-buffered bytes. */
  get backlog(): number {
    return this.queuedBytes + this.socket.bufferedAmount;
  }

  /** Whether a message written now goes straight to the socket. */
  get flowing(): boolean {
    return !this.closed && this.queuedCount === 0 && this.socket.bufferedAmount < this.options.highWatermark;
  }

  write(message: Message): Promise<void> {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return Promise.reject(new Error('WebSocket is not open'));
    try {
      if (this.flowing) this.send(frameOf(message));
      else {
        this.enqueue(message);
        // Nothing in flight means no send callback will come to drain the queue: drain now.
        if (this.inflight === 0) this.drain();
      }
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.checkBacklog();
    return written;
  }

  end(): void {}

  /**
   * Resolves once the backlog is under the low watermark (or the queue is closed), for senders of bulk
   * output such as a transcript reload, so they go at the client's pace instead of tripping the slow-client
   * close.
   */
  whenDrained(): Promise<void> {
    if (this.closed || this.backlog < this.options.lowWatermark) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.scheduleRetry();
    });
  }

  /** Drops the queue and refuses further writes (the socket is closing). */
  dispose(): void {
    this.closed = true;
    this.entries = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.openRuns.clear();
    if (this.slowTimer) clearTimeout(this.slowTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.slowTimer = this.retryTimer = undefined;
    for (const wake of this.drainWaiters.splice(0)) wake();
    this.errors?.clear();
  }

  private enqueue(message: Message): void {
    const chunk = textChunkOf(message);
    if (chunk) {
      const open = this.openRuns.get(chunk.sessionId);
      if (open?.run && joinRun(open.run, chunk)) {
        open.bytes += chunk.text.length;
        this.queuedBytes += chunk.text.length;
        this.coalesced++;
        return;
      }
      const entry: Entry = { run: startRun(chunk), bytes: chunk.text.length + RUN_OVERHEAD };
      this.push(entry);
      this.openRuns.set(chunk.sessionId, entry);
      return;
    }
    // Anything else is a barrier: a later chunk must not jump ahead of it.
    const sessionId = (message as { method?: string; params?: { sessionId?: unknown } }).params?.sessionId;
    if ('method' in message && (message as { id?: unknown }).id === undefined && typeof sessionId === 'string') this.openRuns.delete(sessionId);
    else this.openRuns.clear();
    const text = frameOf(message);
    this.push({ text, bytes: text.length });
  }

  private push(entry: Entry): void {
    this.entries.push(entry);
    this.queuedBytes += entry.bytes;
  }

  private shift(): Entry {
    const entry = this.entries[this.head++];
    this.queuedBytes -= entry.bytes;
    if (entry.run && this.openRuns.get(entry.run.sessionId) === entry) this.openRuns.delete(entry.run.sessionId);
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  /**
   * A send callback costs more than a small frame, so only frames that may take the socket past the low
   * watermark (UTF-8 is at most 3 bytes per UTF-16 unit) ask for one: those are the ones a drain waits on.
   */
  private send(text: string): void {
    this.cork();
    if (this.queuedCount === 0 && this.socket.bufferedAmount + text.length * 3 < this.options.lowWatermark) {
      this.socket.send(text);
      return;
    }
    this.inflight++;
    this.socket.send(text, (err) => {
      this.inflight--;
      if (err) this.errors?.fire([err, undefined, undefined]);
      else this.drain();
    });
  }

  /** Called after each completed send: refills the socket once it is below the low watermark. */
  private drain(): void {
    this.wakeDrainWaiters();
    if (this.closed || this.queuedCount === 0) return this.checkBacklog();
    if (this.inflight > 0 && this.socket.bufferedAmount > this.options.lowWatermark) return;
    while (this.queuedCount > 0 && this.socket.bufferedAmount < this.options.highWatermark && !this.closed) {
      const entry = this.shift();
      this.send(entry.text ?? JSON.stringify(runMessage(entry.run!)));
    }
    // Still queued with no send callback to come: look again shortly rather than stall.
    if (this.queuedCount > 0 && this.inflight === 0) this.scheduleRetry();
    this.wakeDrainWaiters();
    this.checkBacklog();
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.drain();
      // Waiters on a socket buffer that drains without send callbacks are woken by polling.
      if (this.drainWaiters.length > 0) this.scheduleRetry();
    }, 10);
  }

  private wakeDrainWaiters(): void {
    if (this.drainWaiters.length === 0 || this.backlog >= this.options.lowWatermark) return;
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  private checkBacklog(): void {
    if (this.closed) return;
    const backlog = this.backlog;
    if (backlog > this.options.backlogMax) {
      this.slow(`its backlog reached ${mib(backlog)}, over the ${mib(this.options.backlogMax)} maximum`);
    } else if (backlog > this.options.backlogCap) {
      this.slowTimer ??= setTimeout(() => {
        this.slowTimer = undefined;
        if (!this.closed && this.backlog > this.options.backlogCap) {
          this.slow(`its backlog stayed over ${mib(this.options.backlogCap)} for ${this.options.backlogTimeoutMs} ms`);
        }
      }, this.options.backlogTimeoutMs);
      this.slowTimer.unref?.();
    } else if (this.slowTimer) {
      clearTimeout(this.slowTimer);
      this.slowTimer = undefined;
    }
  }

  private slow(reason: string): void {
    this.dispose();
    this.onSlow(reason);
  }
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
