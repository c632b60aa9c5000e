/**
 * The Punie agent server: one HTTP server that answers `/health` and upgrades `/ws` (Punie dialect) and
 * `/acp` (strict ACP v1) to WebSocket after the security checks. Runs in plain Node: the extension host
 * starts it in process, `punie serve` runs it standalone.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ModelRegistry } from '../agent/models/registry';
import { RpcError, describeRequest } from '../protocol/jsonrpc';
import { ClientConnection, type Dialect } from './clientConnection';
import { ConnectionBoundary } from './boundary';
import { connectionLimits, connectionRefusal, type ConnectionLimits } from './limits';
import { PUNIE_VERSION } from '../util/version';
import { dispatch, type MethodContext } from './methods';
import { resolveServerOptions, type ServerOptions } from './options';
import { PreAuthSockets } from './preAuth';
import { checkHost, checkUpgrade, isAuthenticated } from './security';
import { SessionStore } from './sessionStore';
import { createDurableStore, fleetRelayOf } from './durableStore';
import { FleetSessions } from './fleet';
import { userOf } from './users';

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
  private readonly preAuth: PreAuthSockets;
  private heartbeat: NodeJS.Timeout | undefined;
  private boundPort = 0;
  private closing: Promise<void> | undefined;
  private fleet: FleetSessions | undefined;

  constructor(options: Partial<ServerOptions> = {}, models = new ModelRegistry()) {
    this.options = resolveServerOptions(options);
    this.models = models;
    this.store = new SessionStore(this.options);
    this.limits = connectionLimits(this.options);
    const { maxPayload, maxFragments, maxBufferedChunks } = this.options;
    this.wss = new WebSocketServer({ noServer: true, maxPayload, maxFragments, maxBufferedChunks, perMessageDeflate: false, clientTracking: false });
    this.preAuth = new PreAuthSockets(this.options, () => this.connections.size);
    // Headers are capped well below the 64 KiB an unauthenticated request may make the server hold.
    this.http = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => this.contain('an HTTP request', () => this.handleHttp(req, res), () => res.destroy()));
    this.http.maxHeadersCount = 100;
    this.http.on('connection', (socket: Socket) => this.preAuth.admit(socket));
    this.http.on('upgrade', (req, socket: Duplex, head: Buffer) => this.contain('an upgrade', () => this.handleUpgrade(req, socket, head), () => socket.destroy()));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Opens the session store first (a data dir another server holds is refused with who holds it). */
  async listen(): Promise<ServerUrls> {
    const durable = createDurableStore(this.options, this.store);
    if (durable) await durable.open();
    this.store.durable = durable;
    const relay = fleetRelayOf(durable);
    if (relay && durable) {
      this.fleet = new FleetSessions(relay, this.store, durable, { now: this.options.now, logger: this.options.logger });
      this.store.fleet = this.fleet;
    }
    try {
      await this.bind();
    } catch (err) {
      await durable?.close();
      throw err;
    }
    await durable?.announce?.(this.urls().ws);
    this.heartbeat = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
    const urls = this.urls();
    this.options.logger.info(`listening on ${urls.ws}, ${urls.acp} and ${urls.health}`);
    return urls;
  }

  private async bind(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        this.boundPort = (this.http.address() as AddressInfo).port;
        resolve();
      });
    });
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
    this.fleet?.dispose();
    const sessionsClosed = this.store.dispose();
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
    await sessionsClosed;
    this.wss.close();
    this.preAuth.dispose();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    await this.store.durable?.close();
    this.options.logger.info('server stopped');
  }

  private handleHttp(req: IncomingMessage, res: ServerResponse): void {
    // One request per socket, and a body is never read: the socket closes once the answer is written.
    res.shouldKeepAlive = false;
    res.once('finish', () => {
      if (!req.complete) req.socket.destroy();
    });
    const host = checkHost(req, this.options);
    if (!host.ok) {
      res.writeHead(host.status, { 'content-type': 'text/plain' }).end(`${host.reason}\n`);
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      // Counts only for who holds the token: they would tell a stranger whether, and how much, the server is used.
      const counts = isAuthenticated(req, this.options.token) ? { connections: this.connections.size, sessions: this.store.sessionCount } : {};
      // A store that cannot write (Redis away) leaves the server serving live connections, but degraded.
      const durable = this.store.durable;
      const status = durable && !durable.available ? 'degraded' : 'ok';
      const body = JSON.stringify({ status, name: this.options.agentName, version: PUNIE_VERSION, store: durable?.name ?? 'memory', ...counts });
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
    // A named function, not a closure: this listener lives as long as the connection, and a closure would
    // keep this whole scope (the request and its headers) alive with it.
    socket.on('error', destroySocket);
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
    const user = userOf(req, this.options);
    if (user === undefined) return refuse(401, 'missing or wrong bearer token');
    const full = connectionRefusal(this.connections.size, this.options);
    if (full) return refuse(503, full);
    this.preAuth.settle(req.socket);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.contain('a new connection', () => this.accept(ws, dialect, user, req), () => ws.terminate()));
  }

  /** One function for every connection's close (not a closure per connection). */
  private readonly connectionClosed = (connection: ClientConnection, code: number, reason: Buffer): void => {
    this.connections.delete(connection);
    connection.endpoint.close(`socket closed with ${code}`);
    this.store.disconnect(connection.clientId);
    this.options.logger.info(`${connection.clientId} disconnected (${code}${reason.length ? ' ' + reason.toString() : ''})`);
  };

  private accept(ws: WebSocket, dialect: Dialect, user: string, req: IncomingMessage): void {
    const { logger } = this.options;
    const clientId = this.store.newClientId();
    // Before anything listens on the socket: every event of this connection runs inside its boundary.
    new ConnectionBoundary(clientId, logger, () => ws.terminate()).guard(ws);
    const connection = new ClientConnection(clientId, ws, dialect, user, this.options.now(), logger, this.limits, this.connectionClosed);
    this.connections.add(connection);
    this.store.connect(connection);
    logger.info(`${connection.clientId} connected to /${dialect === 'punie' ? 'ws' : 'acp'} from ${req.socket.remoteAddress}`);
    const ctx: MethodContext = { connection, store: this.store, models: this.models, options: this.options };
    connection.endpoint.onRequest(async ({ id, method, params }) => {
      try {
        return await dispatch(ctx, method, params, id);
      } catch (err) {
        // Expected refusals are RpcErrors; anything else is a bug, answered -32603 and logged with its stack.
        if (!(err instanceof RpcError)) logger.error(`${connection.clientId}: ${describeRequest(method, id)} failed unexpectedly: ${(err as Error).stack ?? String(err)}`);
        throw err;
      } finally {
        // The ACP remote transport closes a connection whose first request is not initialize (after the answer).
        if (dialect === 'acp' && !connection.initialized) setImmediate(() => connection.close(1002, 'First message must be initialize'));
      }
    });
    connection.endpoint.onNotification((method, params) => {
      dispatch(ctx, method, params).catch((err: Error) => logger.debug(`notification ${describeRequest(method, undefined)} failed: ${err.message}`));
    });
  }

  /** Runs one event of the HTTP server; a throw is logged with its stack and only that request or socket ends. */
  private contain(what: string, fn: () => void, drop: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.logger.error(`${what} failed unexpectedly: ${(err as Error).stack ?? String(err)}`);
      drop();
    }
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

function destroySocket(this: Duplex): void {
  this.destroy();
}

/** Request line and headers of one request (Node's default; stated so a runtime flag cannot raise it). */
const MAX_HEADER_BYTES = 16 * 1024;

function httpStatusText(status: number): string {
  return { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
}
