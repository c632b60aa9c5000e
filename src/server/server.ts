/**
 * The Punie agent server: one HTTP server that answers `/health` and upgrades `/ws` (Punie dialect) and
 * `/acp` (strict ACP v1) to WebSocket after the security checks. Runs in plain Node: the extension host
 * starts it in process, `punie serve` runs it standalone.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ModelRegistry } from '../agent/models/registry';
import { describeRequest } from '../protocol/jsonrpc';
import { ClientConnection, type Dialect } from './clientConnection';
import { connectionLimits, connectionRefusal, type ConnectionLimits } from './limits';
import { PUNIE_VERSION } from '../util/version';
import { dispatch, type MethodContext } from './methods';
import { resolveServerOptions, type ServerOptions } from './options';
import { checkUpgrade } from './security';
import { SessionStore } from './sessionStore';

/** A Map, not an object literal: request paths are untrusted and must not reach Object.prototype. */
const PATHS = new Map<string, Dialect>([
  ['/ws', 'punie'],
  ['/acp', 'acp'],
]);

export interface ServerUrls {
  ws: string;
  acp: string;
  health: string;
}

export class PunieServer {
  readonly options: ServerOptions;
  readonly store: SessionStore;
  readonly models: ModelRegistry;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<ClientConnection>();
  private readonly limits: ConnectionLimits;
  private heartbeat: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private closing: Promise<void> | undefined;

  constructor(options: Partial<ServerOptions> = {}, models = new ModelRegistry()) {
    this.options = resolveServerOptions(options);
    this.models = models;
    this.store = new SessionStore(this.options);
    this.limits = connectionLimits(this.options);
    const { maxPayload, maxFragments, maxBufferedChunks } = this.options;
    this.wss = new WebSocketServer({ noServer: true, maxPayload, maxFragments, maxBufferedChunks, perMessageDeflate: false, clientTracking: false });
    this.http = createServer((req, res) => this.handleHttp(req, res));
    this.http.maxHeadersCount = 100;
    this.http.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket, head));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(): Promise<ServerUrls> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        this.boundPort = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
    this.heartbeat = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
    const urls = this.urls();
    this.options.logger.info(`listening on ${urls.ws}, ${urls.acp} and ${urls.health}`);
    return urls;
  }

  /** The port it listens on (the ephemeral one when `port` was 0); kept after close for messages. */
  get port(): number {
    return this.boundPort;
  }

  urls(): ServerUrls {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    const base = `${host}:${this.port}`;
    return { ws: `ws://${base}/ws`, acp: `ws://${base}/acp`, health: `http://${base}/health` };
  }

  /** Graceful shutdown: every client gets close 1001 and is terminated if still open after the timeout. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.store.dispose();
    const closed = [...this.connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.readyState === c.socket.CLOSED) return resolve();
          c.socket.once('close', () => resolve());
          c.close(1001, 'server shutting down');
        }),
    );
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, this.options.shutdownTimeoutMs).unref());
    await Promise.race([Promise.all(closed), timeout]);
    for (const c of this.connections) c.socket.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    this.options.logger.info('server stopped');
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify({ status: 'ok', name: this.options.agentName, version: PUNIE_VERSION, connections: this.connections.size, sessions: this.store.sessionCount });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (PATHS.has(path)) {
      res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' }).end('This endpoint speaks JSON-RPC over WebSocket\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
  }

  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    const dialect = PATHS.get(path);
    const refuse = (status: number, reason: string) => {
      this.options.logger.warn(`refused upgrade to ${path} from ${req.socket.remoteAddress}: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${httpStatusText(status)}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
    };
    if (!dialect) return refuse(404, `no WebSocket endpoint at ${path} (use /ws or /acp)`);
    if (this.closing) return refuse(503, 'server is shutting down');
    const verdict = checkUpgrade(req, this.options);
    if (!verdict.ok) return refuse(verdict.status, verdict.reason);
    const full = connectionRefusal(this.connections.size, this.options);
    if (full) return refuse(503, full);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, dialect, req));
  }

  private accept(ws: WebSocket, dialect: Dialect, req: IncomingMessage): void {
    const { logger } = this.options;
    const connection = new ClientConnection(this.store.newClientId(), ws, dialect, this.options.now(), logger, this.limits);
    this.connections.add(connection);
    this.store.connect(connection);
    logger.info(`${connection.clientId} connected to /${dialect === 'punie' ? 'ws' : 'acp'} from ${req.socket.remoteAddress}`);
    const ctx: MethodContext = { connection, store: this.store, models: this.models, options: this.options };
    // A client's own pings count as activity: the idle timeout is for connections nobody is watching, and
    // closing a heartbeating client would only make it reconnect every `idleTimeoutMs`.
    const active = () => (connection.lastInboundAt = this.options.now());
    ws.on('message', active);
    ws.on('ping', active);
    // ws closes by itself on protocol violations (1007 bad UTF-8, 1008 too many fragments, 1009 too big).
    ws.on('error', (err) => logger.info(`${connection.clientId} socket error: ${err.message}`));
    ws.on('close', (code, reason) => {
      this.connections.delete(connection);
      connection.endpoint.close(`socket closed with ${code}`);
      this.store.disconnect(connection.clientId);
      logger.info(`${connection.clientId} disconnected (${code}${reason.length ? ' ' + reason.toString() : ''})`);
    });
    connection.endpoint.onRequest(async ({ id, method, params }) => {
      try {
        return await dispatch(ctx, method, params, id);
      } finally {
        // The ACP remote transport closes a connection whose first request is not initialize (after the answer).
        if (dialect === 'acp' && !connection.initialized) setImmediate(() => connection.close(1002, 'First message must be initialize'));
      }
    });
    connection.endpoint.onNotification((method, params) => {
      dispatch(ctx, method, params).catch((err: Error) => logger.debug(`notification ${describeRequest(method, undefined)} failed: ${err.message}`));
    });
  }

  /** Heartbeat and idle timeout, once per interval. */
  private tick(): void {
    const now = this.options.now();
    for (const c of this.connections) {
      if (c.missedPongs >= 2) {
        this.options.logger.info(`${c.clientId} missed two pongs; terminating`);
        c.socket.terminate();
        continue;
      }
      if (c.activePrompts === 0 && now - c.lastInboundAt > this.options.idleTimeoutMs) {
        this.options.logger.info(`${c.clientId} idle for ${now - c.lastInboundAt} ms; closing`);
        c.close(1000, 'idle timeout');
        continue;
      }
      c.missedPongs++;
      c.socket.ping();
    }
  }
}

function httpStatusText(status: number): string {
  return { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
}
