/**
 * vscode-jsonrpc reader and writer for newline-delimited JSON (the ACP stdio transport). No line-length
 * cap below `maxMessageBytes`; an invalid line is reported (and answered with -32700), never dropped, and
 * a longer one is answered under its own id when its start names one.
 */
import type { Readable, Writable } from 'node:stream';
import { AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import { ErrorCodes, describeRequest } from '../protocol/jsonrpc';
import { peekEnvelope } from './peek';
import { ProtocolMessageReader } from './protocolReader';

export interface NdjsonReaderOptions {
  maxMessageBytes: number;
}

/** How much of an oversized line is kept to find its id and method. */
const HEAD_BYTES = 4096;

export class NdjsonMessageReader extends ProtocolMessageReader {
  private callback: DataCallback | undefined;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private discarding = false;
  /** Size of the line behind the message being delivered (read it in the listener), for flow control. */
  lastMessageBytes = 0;

  constructor(
    readonly input: Readable,
    private readonly options: NdjsonReaderOptions,
  ) {
    super();
    input.on('data', (data: Buffer | string) => this.receive(typeof data === 'string' ? Buffer.from(data) : data));
    input.on('error', (err) => this.fireError(err));
    input.on('end', () => {
      if (this.bufferedBytes > 0 && !this.discarding) this.emitLine(Buffer.concat(this.chunks));
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
      if (!this.discarding) this.emitLine(Buffer.concat(this.chunks));
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
      // Keep memory bounded: drop the rest of this line, and answer it now under the id its start names.
      const { id, method } = peekEnvelope(head([...this.chunks, part]));
      this.chunks = [];
      this.discarding = true;
      const what = method || id !== undefined ? describeRequest(method, id) : 'a message';
      this.fireInvalidFrame({
        id: id ?? null,
        error: {
          code: ErrorCodes.InvalidRequest,
          message: `Invalid request: ${what} is larger than ${this.options.maxMessageBytes} bytes, the most this connection accepts; it was not sent on — send less at once`,
          data: { maxMessageBytes: this.options.maxMessageBytes },
        },
      });
      return;
    }
    this.chunks.push(Buffer.from(part));
  }

  private emitLine(bytes: Buffer): void {
    this.lastMessageBytes = bytes.length;
    const raw = bytes.toString('utf8');
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    this.decode(line, (message) => this.callback?.(message));
  }
}

export class NdjsonMessageWriter extends AbstractMessageWriter {
  /** Writes waiting for the stream to drain: one 'drain' listener for all of them, however many. */
  private drainWaiters: (() => void)[] = [];

  constructor(readonly output: Writable) {
    super();
    output.on('drain', () => {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    });
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
      else this.drainWaiters.push(resolve);
    });
  }

  end(): void {
    this.output.end();
  }
}

/** The first {@link HEAD_BYTES} of a line held in pieces, as text. */
function head(chunks: Buffer[]): string {
  const parts: Buffer[] = [];
  let size = 0;
  for (const chunk of chunks) {
    if (size >= HEAD_BYTES) break;
    parts.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(parts).subarray(0, HEAD_BYTES).toString('utf8');
}
