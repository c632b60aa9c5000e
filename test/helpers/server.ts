/** Test helpers: a real server on an ephemeral 127.0.0.1 port, and a raw frame-level WebSocket client. */
import WebSocket from 'ws';
import { PunieServer } from '../../src/server/server';
import { TestProxy } from './proxy';
import type { ServerOptions } from '../../src/server/options';

/** Test servers take token-less connections unless the test gives a token or users (the library makes a random token). */
export function testAuth(options: Partial<ServerOptions>): Partial<ServerOptions> {
  return options.token || options.users ? options : { unauthenticated: true, ...options };
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<PunieServer> {
  const server = new PunieServer(testAuth({ port: 0, shutdownTimeoutMs: 500, ...options }));
  await server.listen();
  return server;
}

/** An open WebSocket without compression; an HTTP refusal of the upgrade rejects with its status. */
export function openSocket(url: string, options: WebSocket.ClientOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, ...options });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** A frame-level client: send raw text or objects, await messages matching a predicate. */
export class RawClient {
  readonly messages: any[] = [];
  readonly raw: string[] = [];
  private waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  private readonly handlers: ((m: any) => void)[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      const msg = JSON.parse(text);
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => (w.match(msg) ? (w.resolve(msg), false) : true));
      for (const handler of this.handlers) handler(msg);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RawClient> {
    return new RawClient(await openSocket(url, options));
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(match: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Calls `handler` with every message received so far, then with each one as it comes. */
  each(handler: (m: any) => void): void {
    for (const m of this.messages) handler(m);
    this.handlers.push(handler);
  }

  /** Sends a request and resolves with its response (result or error). */
  async call(id: string | number, method: string, params?: unknown): Promise<any> {
    this.send({ jsonrpc: '2.0', id, method, params });
    return this.next((m) => m.id === id && ('result' in m || 'error' in m));
  }

  updates(sessionId?: string): any[] {
    return this.messages.filter((m) => m.method === 'session/update' && (!sessionId || m.params.sessionId === sessionId));
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Mocha hooks that give each test of the enclosing suite a fresh server behind a TestProxy (to cut, stall or
 * throttle the connection); read `env.server` and `env.proxy` inside the tests.
 */
export function useServerBehindProxy(): { server: PunieServer; proxy: TestProxy } {
  const env = {} as { server: PunieServer; proxy: TestProxy };
  beforeEach(async () => {
    env.server = await startServer();
    env.proxy = await TestProxy.start(env.server.port);
  });
  afterEach(async () => {
    await env.proxy.close();
    await env.server.close();
  });
  return env;
}
