/** vscode-jsonrpc reader and writer over a `ws` socket: one JSON-RPC message per text frame. */
import { AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import type WebSocket from 'ws';
import { ProtocolMessageReader, type InboundFilter } from './protocolReader';
import { frameOf, written } from './types';

export interface WebSocketReaderOptions {
  /** Punie's `/ws` decodes binary frames as UTF-8 (Toad sends bytes); strict ACP ignores them. */
  acceptBinary: boolean;
  /** Sees every frame before the endpoint does (the server's rate limit). */
  filter?: InboundFilter;
}

export class WebSocketMessageReader extends ProtocolMessageReader {
  private callback: DataCallback | undefined;
  /** Messages that came before `listen` (made when one does). */
  private pending: Message[] | undefined;

  constructor(
    socket: WebSocket,
    private readonly options: WebSocketReaderOptions,
  ) {
    super(options.filter);
    (socket as TaggedSocket)[READER] = this;
    socket.on('message', readerOnMessage);
    socket.on('error', readerOnError);
    socket.on('close', readerOnClose);
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const early = this.pending ?? [];
    this.pending = undefined;
    for (const message of early) callback(message);
    return { dispose: () => (this.callback = undefined) };
  }

  /** The socket's error listener. */
  failed(err: Error): void {
    this.fireError(err);
  }

  /** The socket's close listener. */
  closed(): void {
    this.fireClose();
  }

  /** The socket's message listener. */
  receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary && !this.options.acceptBinary) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    this.decode(text, (message) => {
      if (this.callback) this.callback(message);
      else (this.pending ??= []).push(message);
    });
  }
}

/**
 * The reader's socket listeners are shared functions that find the reader on the socket: no closures per
 * connection (the server holds a thousand idle ones).
 */
const READER = Symbol('reader');
type TaggedSocket = WebSocket & { [READER]: WebSocketMessageReader };

function readerOnMessage(this: WebSocket, data: WebSocket.RawData, isBinary: boolean): void {
  (this as TaggedSocket)[READER].receive(data, isBinary);
}

function readerOnError(this: WebSocket, err: Error): void {
  (this as TaggedSocket)[READER].failed(err);
}

function readerOnClose(this: WebSocket): void {
  (this as TaggedSocket)[READER].closed();
}

/**
 * Frames written in one burst (a model streaming chunks within one turn of the event loop) leave in one
 * system call instead of one each: the first send of a burst corks the TCP socket until the next tick.
 * ws has no cork of its own, so its TCP socket is corked directly.
 */
export function burstCorker(socket: WebSocket): () => void {
  let corked = false;
  return () => {
    const tcp = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (corked || !tcp) return;
    corked = true;
    tcp.cork();
    process.nextTick(() => {
      corked = false;
      tcp.uncork();
    });
  };
}

export class WebSocketMessageWriter extends AbstractMessageWriter {
  private readonly cork: () => void;

  constructor(private readonly socket: WebSocket) {
    super();
    this.cork = burstCorker(socket);
  }

  write(message: Message): Promise<void> {
    if (this.socket.readyState !== this.socket.OPEN) return Promise.reject(new Error('WebSocket is not open'));
    // No per-frame send callback: it costs more than the frame on long streams, and a failed write
    // surfaces as the socket's error and close events, which close the endpoint.
    this.cork();
    this.socket.send(frameOf(message));
    return written;
  }

  /** Bytes queued in the socket but not yet written (0 when the kernel took everything). */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  end(): void {}
}
