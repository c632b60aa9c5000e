/**
 * Backpressure of the stdio bridge, both ways, so memory stays bounded whichever side is slow:
 * - editor → server: stdin is paused while the bytes not yet sent — the socket's buffered amount, plus
 *   messages held for a connection that is down — are above the high watermark, and resumed below the low
 *   one (ws has no drain event, so this is polled while paused);
 * - server → editor: the socket is not read while stdout holds more than the high watermark, and is read
 *   again once stdout drains.
 */
import type { Readable, Writable } from 'node:stream';
import type { PunieClientApi } from '../../client';
import type { Logger } from '../../util/logger';

export interface FlowOptions {
  highWaterBytes: number;
  lowWaterBytes: number;
  /** How often a paused stdin checks whether the socket drained. */
  pollMs: number;
}

export const defaultFlowOptions: FlowOptions = { highWaterBytes: 1 << 20, lowWaterBytes: 256 << 10, pollMs: 10 };

type FlowClient = Pick<PunieClientApi, 'bufferedAmount' | 'setReadPaused'>;

export class Flow {
  /** Times stdin and the socket were paused, for logs and tests. */
  readonly pauses = { input: 0, socket: 0 };
  private client: FlowClient | undefined;
  private connected = false;
  private inputPaused = false;
  private socketPaused = false;
  private poll: NodeJS.Timeout | undefined;
  private checkQueued = false;
  /** Sizes of editor messages waiting for a connection, each until it is sent or settled. */
  private readonly held = new Set<{ bytes: number }>();
  private heldBytes = 0;
  /** Messages received since the last check: the client sends them a few microtasks later, so they count already. */
  private recentBytes = 0;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly options: FlowOptions,
    private readonly logger: Logger,
  ) {
    output.on('drain', () => this.outputDrained());
  }

  attach(client: FlowClient): void {
    this.client = client;
    client.setReadPaused(this.socketPaused);
  }

  /** The connection came up (held messages are being sent) or went down. */
  setConnected(connected: boolean): void {
    this.connected = connected;
    if (connected) {
      this.held.clear();
      this.heldBytes = 0;
    }
    this.checkInputSoon();
  }

  /** An editor message of `bytes` was handed to the client; while disconnected it counts until `settled`. */
  received(bytes: number, settled?: Promise<unknown>): void {
    if (!this.connected && settled) {
      const entry = { bytes };
      this.held.add(entry);
      this.heldBytes += bytes;
      const release = () => {
        if (this.held.delete(entry)) this.heldBytes -= entry.bytes;
        this.checkInputSoon();
      };
      settled.then(release, release);
    } else this.recentBytes += bytes;
    // At once: a burst of lines may all be read before any timer or I/O callback runs.
    this.checkInput();
    this.checkInputSoon();
  }

  /** Call after every write to stdout. */
  wrote(): void {
    if (this.socketPaused || this.output.writableLength <= this.options.highWaterBytes) return;
    this.socketPaused = true;
    this.pauses.socket++;
    this.logger.trace(`stdout holds ${this.output.writableLength} bytes: the server's socket is not read until it drains`);
    this.client?.setReadPaused(true);
  }

  dispose(): void {
    clearInterval(this.poll);
    this.poll = undefined;
  }

  private outputDrained(): void {
    if (!this.socketPaused) return;
    this.socketPaused = false;
    this.client?.setReadPaused(false);
  }

  /** The client sends asynchronously: look once the current burst of messages has been handed over. */
  private checkInputSoon(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      this.recentBytes = 0; // handed to the socket by now: its buffered amount has them
      this.checkInput();
    });
  }

  private checkInput(): void {
    const pending = (this.client?.bufferedAmount ?? 0) + this.heldBytes + this.recentBytes;
    if (!this.inputPaused && pending > this.options.highWaterBytes) {
      this.inputPaused = true;
      this.pauses.input++;
      this.logger.trace(`${pending} bytes from the editor not yet sent: stdin paused`);
      this.input.pause();
      this.poll = setInterval(() => this.checkInput(), this.options.pollMs);
    } else if (this.inputPaused && pending <= this.options.lowWaterBytes) {
      this.inputPaused = false;
      clearInterval(this.poll);
      this.poll = undefined;
      this.input.resume();
    }
  }
}
