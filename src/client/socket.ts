/** Opens a WebSocket to a Punie server and wraps it in a JSON-RPC endpoint. */
import WebSocket from 'ws';
import { RpcEndpoint } from '../transport/endpoint';
import { silentLogger, type Logger } from '../util/logger';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../transport/wsTransport';

export interface OpenSocketOptions {
  token?: string;
  connectTimeoutMs: number;
  logger?: Logger;
}

/** Why a connection attempt failed, with whether retrying can help (401/403 cannot). */
export class ConnectError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ConnectError';
  }
}

export interface OpenSocket {
  socket: WebSocket;
  endpoint: RpcEndpoint;
}

export function openSocket(url: string, options: OpenSocketOptions): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    const socket = new WebSocket(url, { headers, handshakeTimeout: options.connectTimeoutMs, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    const fail = (err: ConnectError) => {
      socket.removeAllListeners('open');
      socket.terminate();
      reject(err);
    };
    socket.once('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      const retryable = status !== 401 && status !== 403 && status !== 404;
      const hint = status === 401 ? ' — check the token' : status === 403 ? ' — the server refused this Host or Origin' : '';
      res.resume();
      fail(new ConnectError(`${url} answered HTTP ${status}${hint}`, retryable, status));
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ECONNREFUSED' ? 'connection refused — is the server running?' : err.message;
      fail(new ConnectError(`cannot connect to ${url}: ${reason}`, true));
    });
    socket.once('open', () => {
      socket.removeAllListeners('error');
      socket.removeAllListeners('unexpected-response');
      socket.on('error', () => {});
      const reader = new WebSocketMessageReader(socket, { acceptBinary: true });
      const endpoint = new RpcEndpoint(reader, new WebSocketMessageWriter(socket), options.logger ?? silentLogger);
      socket.once('close', (code, reason) => endpoint.close(`closed with ${code}${reason.length ? ' ' + reason.toString() : ''}`));
      resolve({ socket, endpoint });
    });
  });
}
