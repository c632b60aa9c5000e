/**
 * One client socket: its JSON-RPC endpoint, its dialect (`/ws` Punie or `/acp` strict ACP), what it
 * declared in `initialize`, and the liveness state the heartbeat and idle timeout read.
 */
import type WebSocket from 'ws';
import { Methods, type ClientCapabilities } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import { RpcEndpoint } from '../transport/endpoint';
import type { Logger } from '../transport/logger';
import { WebSocketMessageReader, WebSocketMessageWriter } from '../transport/wsTransport';
import type { ClientLink } from './sessions';

export type Dialect = 'punie' | 'acp';

export class ClientConnection implements ClientLink {
  readonly endpoint: RpcEndpoint;
  capabilities: ClientCapabilities = {};
  initialized = false;
  /** Prompts of this connection that are running; the idle timeout waits for them. */
  activePrompts = 0;
  lastInboundAt: number;
  missedPongs = 0;

  constructor(
    readonly clientId: string,
    readonly socket: WebSocket,
    readonly dialect: Dialect,
    now: number,
    logger: Logger,
  ) {
    this.lastInboundAt = now;
    const reader = new WebSocketMessageReader(socket, { acceptBinary: dialect === 'punie' });
    this.endpoint = new RpcEndpoint(reader, new WebSocketMessageWriter(socket), logger);
    socket.on('pong', () => (this.missedPongs = 0));
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  notify(method: string, params: unknown): void {
    // A failed send means the socket is closing; its close handler takes care of the sessions.
    this.endpoint.notify(method, params).catch(() => {});
  }

  /** Agent→client requests wait for the user or the command (no fixed cap); cancel aborts them. */
  request<T>(method: string, params: unknown, signal: AbortSignal, id?: RequestId): Promise<T> {
    return this.endpoint.request<T>(method, params, { signal, id });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  /** Whether a method may run before `initialize` (strict ACP demands it first). */
  mayCall(method: string): boolean {
    return this.initialized || this.dialect === 'punie' || method === Methods.initialize;
  }
}
