/** vscode-jsonrpc reader and writer over a `ws` socket: one JSON-RPC message per text frame. */
import { AbstractMessageWriter, type DataCallback, type Disposable, type Message } from 'vscode-jsonrpc';
import type WebSocket from 'ws';
import { ProtocolMessageReader } from './protocolReader';
import { frameOf, written } from './types';

export interface WebSocketReaderOptions {
  /** Punie's `/ws` decodes binary frames as UTF-8 (Toad sends bytes); strict ACP ignores them. */
  acceptBinary: boolean;
}

export class WebSocketMessageReader extends ProtocolMessageReader {
  private callback: DataCallback | undefined;
  private readonly pending: Message[] = [];

  constructor(
    socket: WebSocket,
    private readonly options: WebSocketReaderOptions,
  ) {
    super();
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('error', (err) => this.fireError(err));
    socket.on('close', () => this.fireClose());
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    for (const message of this.pending.splice(0)) callback(message);
    return { dispose: () => (this.callback = undefined) };
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary && !this.options.acceptBinary) return;
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    this.decode(text, (message) => {
      if (this.callback) this.callback(message);
      else this.pending.push(message);
    });
  }
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
