/**
 * One client socket: its JSON-RPC endpoint, its dialect (`/ws` Punie or `/acp` strict ACP), what it
 * declared in `initialize`, and the liveness state the heartbeat and idle timeout read.
 */
import type WebSocket from 'ws';
import { Methods, type ClientCapabilities } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import { RpcEndpoint } from '../transport/endpoint';
import type { Logger } from '../util/logger';
import { burstCorker, WebSocketMessageReader } from '../transport/wsTransport';
import { OutboundQueue } from './outboundQueue';
import { InboundGate } from './inboundGate';
import type { ConnectionLimits } from './limits';
import { RateLimiter } from './rateLimit';
import type { ClientLink } from './clientLink';

/** A client closed for being slow may not read our close frame soon; it is cut off after this long. */
const SLOW_CLOSE_TERMINATE_MS = 2_000;

export type Dialect = 'punie' | 'acp';

/**
 * The socket's listeners are shared functions that find the connection on the socket: no closures per
 * connection (a server holds a thousand idle ones).
 */
const CONNECTION = Symbol('connection');
type TaggedSocket = WebSocket & { [CONNECTION]: ClientConnection };

function connectionOf(socket: WebSocket): ClientConnection {
  return (socket as TaggedSocket)[CONNECTION];
}

function connectionOnPong(this: WebSocket): void {
  connectionOf(this).missedPongs = 0;
}

function connectionOnActivity(this: WebSocket): void {
  connectionOf(this).active();
}

function connectionOnError(this: WebSocket, err: Error): void {
  connectionOf(this).failed(err);
}

function connectionOnClose(this: WebSocket, code: number, reason: Buffer): void {
  connectionOf(this).closed(code, reason);
}

export class ClientConnection implements ClientLink {
  readonly endpoint: RpcEndpoint;
  capabilities: ClientCapabilities = {};
  /** A Punie Python client (`/ws`, no capabilities declared, or no initialize): it knows only the text and tool-call updates. */
  legacyClient: boolean;
  initialized = false;
  /** Prompts of this connection that are running; the idle timeout waits for them. */
  activePrompts = 0;
  lastInboundAt: number;
  missedPongs = 0;
  /** Outbound queue with watermarks, coalescing and the slow-client close. */
  readonly outbound: OutboundQueue;

  constructor(
    readonly clientId: string,
    readonly socket: WebSocket,
    readonly dialect: Dialect,
    /** The authenticated user (sessions belong to users). */
    readonly user: string,
    now: number,
    private readonly logger: Logger,
    private readonly limits: ConnectionLimits,
    /** The socket closed (the server forgets the connection; its sessions wait for a resume). */
    private readonly onClosed: (connection: ClientConnection, code: number, reason: Buffer) => void,
  ) {
    this.legacyClient = dialect === 'punie';
    this.lastInboundAt = now;
    const filter = new InboundGate(new RateLimiter(limits.rate, now), { now: limits.now, logger, clientId, onFlood: (n) => this.closeFlooding(n) });
    const reader = new WebSocketMessageReader(socket, { acceptBinary: dialect === 'punie', filter });
    this.outbound = new OutboundQueue(socket, limits.outbound, (reason) => this.closeSlow(reason), burstCorker(socket));
    this.endpoint = new RpcEndpoint(reader, this.outbound, logger);
    (socket as TaggedSocket)[CONNECTION] = this;
    socket.on('pong', connectionOnPong);
    // A client's own pings count as activity: the idle timeout is for connections nobody is watching, and
    // closing a heartbeating client would only make it reconnect every `idleTimeoutMs`.
    socket.on('message', connectionOnActivity);
    socket.on('ping', connectionOnActivity);
    // ws closes by itself on protocol violations (1007 bad UTF-8, 1008 too many fragments, 1009 too big).
    socket.on('error', connectionOnError);
    socket.on('close', connectionOnClose);
  }

  /** The socket's close listener. */
  closed(code: number, reason: Buffer): void {
    this.outbound.dispose();
    this.onClosed(this, code, reason);
  }

  /** The socket's error listener. */
  failed(err: Error): void {
    this.logger.info(`${this.clientId} socket error: ${err.message}`);
  }

  /** The socket's message and ping listener. */
  active(): void {
    this.lastInboundAt = this.limits.now();
  }

  get flowing(): boolean {
    return this.outbound.flowing;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  notify(method: string, params: unknown, frame?: string): void {
    // A failed send means the socket is closing; its close handler takes care of the sessions.
    this.endpoint.post(method, params, frame);
  }

  /** Agent→client requests wait for the user or the command (no fixed cap); cancel aborts them. */
  request<T>(method: string, params: unknown, signal: AbortSignal, id?: RequestId): Promise<T> {
    return this.endpoint.request<T>(method, params, { signal, id });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(code, reason);
  }

  /** Over the rate limit again and again: 1008 (policy violation). */
  private closeFlooding(refused: number): void {
    this.logger.warn(`${this.clientId} kept sending over the rate limit (${refused} messages refused); closing with 1008`);
    this.close(1008, 'rate limit exceeded repeatedly');
  }

  /** 1013 (try again later): the sessions wait in the grace period, and a resume replays what was missed. */
  private closeSlow(reason: string): void {
    this.logger.warn(`${this.clientId} cannot keep up: ${reason}; closing with 1013 (its sessions stay resumable)`);
    this.close(1013, 'client too slow; resume the session later');
    const timer = setTimeout(() => this.socket.terminate(), SLOW_CLOSE_TERMINATE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  /** Whether a method may run before `initialize` (strict ACP demands it first). */
  mayCall(method: string): boolean {
    return this.initialized || this.dialect === 'punie' || method === Methods.initialize;
  }
}
