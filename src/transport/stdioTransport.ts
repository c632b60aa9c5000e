/**
 * vscode-jsonrpc reader and writer for newline-delimited JSON (the ACP stdio transport). No line-length
 * cap below `maxMessageBytes`; an invalid line is reported (and answered with -32700), never dropped.
 */
import type { Readable, Writable } from 'node:stream';
import { AbstractMessageReader, AbstractMessageWriter, Emitter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import { ErrorCodes } from '../protocol/jsonrpc';
import { decodeFrame } from './frames';
import type { InvalidFrame, ProtocolErrorSource } from './types';

export interface NdjsonReaderOptions {
  maxMessageBytes: number;
}

export class NdjsonMessageReader extends AbstractMessageReader implements ProtocolErrorSource {
  private readonly invalidEmitter = new Emitter<InvalidFrame>();
  readonly onInvalidFrame = this.invalidEmitter.event;
  private callback: DataCallback | undefined;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private discarding = false;

  constructor(
    readonly input: Readable,
    private readonly options: NdjsonReaderOptions,
  ) {
    super();
    input.on('data', (data: Buffer | string) => this.receive(typeof data === 'string' ? Buffer.from(data) : data));
    input.on('error', (err) => this.fireError(err));
    input.on('end', () => {
      if (this.bufferedBytes > 0 && !this.discarding) this.emitLine(Buffer.concat(this.chunks).toString('utf8'));
      this.fireClose();
    });
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    return { dispose: () => (this.callback = undefined) };
  }

  private receive(data: Buffer): void {
    let start = 0;
    for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
      this.append(data.subarray(start, nl));
      if (!this.discarding) this.emitLine(Buffer.concat(this.chunks).toString('utf8'));
      this.chunks = [];
      this.bufferedBytes = 0;
      this.discarding = false;
      start = nl + 1;
    }
    if (start < data.length) this.append(data.subarray(start));
  }

  private append(part: Buffer): void {
    if (this.discarding || part.length === 0) return;
    this.bufferedBytes += part.length;
    if (this.bufferedBytes > this.options.maxMessageBytes) {
      // Keep memory bounded: drop the rest of this line and answer it once it ends.
      this.chunks = [];
      this.discarding = true;
      this.invalidEmitter.fire({
        id: null,
        error: { code: ErrorCodes.InvalidRequest, message: `Invalid request: message larger than ${this.options.maxMessageBytes} bytes` },
      });
      return;
    }
    this.chunks.push(Buffer.from(part));
  }

  private emitLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const decoded = decodeFrame(line);
    if (decoded.kind === 'empty') return;
    if (decoded.kind === 'invalid') {
      this.invalidEmitter.fire({ id: decoded.id, error: decoded.error });
      return;
    }
    this.callback?.(decoded.message);
  }
}

export class NdjsonMessageWriter extends AbstractMessageWriter {
  constructor(readonly output: Writable) {
    super();
  }

  write(message: Message): Promise<void> {
    return this.writeText(JSON.stringify(message));
  }

  /** Resolves once the line is accepted without exceeding the stream's buffer, so callers can pace themselves. */
  writeText(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ok = this.output.write(text + '\n', (err) => {
        if (err) {
          this.fireError([err, undefined, undefined]);
          reject(err);
        }
      });
      if (ok) resolve();
      else this.output.once('drain', () => resolve());
    });
  }

  end(): void {
    this.output.end();
  }
}
