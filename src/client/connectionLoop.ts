/**
 * The client's connection loop: one wanted connection at a time (single-flight), kept alive by a heartbeat
 * and brought back by backoff with full jitter. A connection counts only once `initialize` and the resume
 * of every session (done by the client through {@link ConnectionHooks}) worked, so callers waiting for a
 * connection never see one that is half set up. Knows nothing of prompts or sessions.
 */
import type { z } from 'zod';
import { InitializeResponse, Methods, PROTOCOL_VERSION } from '../protocol/acp';
import { runInBackground } from '../util/background';
import { Backoff } from './backoff';
import { NotConnectedError } from './errors';
import { Emitter } from './events';
import { LiveConnection, comesBackAtOnce, noRetryReason } from './live';
import { ConnectError, openSocket } from './socket';
import type { ClientManagerOptions, ConnectionState, Disposable } from './types';

/** What the loop asks of the rest of the client around each connection. */
export interface ConnectionHooks {
  /** A fresh socket: wire its notifications and agent requests before the handshake. */
  attach(live: LiveConnection): void;
  /** After `initialize`: bring every session back on `live`; rejects when the connection itself failed. */
  resume(live: LiveConnection, agent: InitializeResponse): Promise<void>;
  /** The handshake on a socket failed; the next connection starts over. */
  handshakeFailed(): void;
  /** `connected` was announced on `live`: send what waited for a connection. */
  connected(live: LiveConnection): void;
  /** The client gave up (failed) or was closed: fail what waits. */
  ended(reason: string, status?: number): void;
}

export interface RequestOptions<T> {
  timeoutMs?: number;
  signal?: AbortSignal;
  result?: z.ZodType<T>;
}

interface Waiter {
  resolve(live: LiveConnection): void;
  reject(error: Error): void;
  method: string;
}

export class ConnectionLoop {
  private stateValue: ConnectionState = { kind: 'idle' };
  private agentValue: InitializeResponse | undefined;
  private current: LiveConnection | undefined;
  private readonly stateEvents: Emitter<ConnectionState>;
  private readonly backoff: Backoff;
  private readonly waiters = new Set<Waiter>();
  private wanted = false;
  private disposed = false;
  private readPaused = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly options: ClientManagerOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.stateEvents = new Emitter('state', options.logger);
    this.backoff = new Backoff(options.reconnect, options.random);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get agent(): InitializeResponse | undefined {
    return this.agentValue;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get bufferedAmount(): number {
    return this.current?.socket.bufferedAmount ?? 0;
  }

  onStateChange(listener: (state: ConnectionState) => void): Disposable {
    return this.stateEvents.event(listener);
  }

  /** Applies to the connected socket; a handshake is always read, so a resume never waits on the consumer. */
  setReadPaused(paused: boolean): void {
    this.readPaused = paused;
    this.connectedLive()?.setPaused(paused);
  }

  start(): Promise<void> {
    if (this.disposed) return Promise.reject(new NotConnectedError('start', 'the client was closed'));
    this.want();
    return this.whenConnected('start', undefined).then(() => undefined);
  }

  retryNow(): void {
    if (this.disposed) return;
    if (this.stateValue.kind === 'failed' || this.stateValue.kind === 'idle') this.want();
    else this.wake?.();
  }

  /** A request on the connection, waiting for one (within the timeout) while reconnecting. */
  async request<T>(method: string, params: unknown, options: RequestOptions<T> = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const live = await this.whenConnected(method, Math.max(1, Math.ceil(deadline - performance.now())));
      // A stale connection (the machine slept) is dropped here, and the request waits for the next one.
      if (!live.heartbeat.check()) continue;
      return live.endpoint.request<T>(method, params, { timeoutMs: Math.max(1, Math.ceil(deadline - performance.now())), signal: options.signal, result: options.result });
    }
  }

  /** The connection when it is up and announced; undefined while connecting, resuming or down. */
  connectedLive(): LiveConnection | undefined {
    const live = this.current;
    return this.stateValue.kind === 'connected' && live && !live.isOver ? live : undefined;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.wanted = false;
    this.setState({ kind: 'closed', reason: 'closed by the client' });
    const live = this.current;
    live?.drop('local', 'the client was closed');
    this.wake?.();
    this.rejectEverything('the client was closed');
    if (live) {
      await Promise.race([new Promise((resolve) => live.socket.once('close', resolve)), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
  }

  /** Starts the loop, or queues a fresh one behind a loop that is just ending (a listener of `failed` may call this). */
  private want(): void {
    if (this.wanted && this.loop) return;
    this.wanted = true;
    this.backoff.reset();
    const next = () => this.run();
    const run = (this.loop ?? Promise.resolve()).then(next, next);
    this.loop = run;
    runInBackground(
      'the connection loop',
      run.finally(() => {
        if (this.loop === run) this.loop = undefined;
      }),
      this.options.logger,
    );
  }

  /** The loop itself; at most one runs (single-flight). */
  private async run(): Promise<void> {
    let lastError: string | undefined;
    let dials = 0;
    while (this.wanted) {
      dials++;
      if (lastError === undefined) this.setState({ kind: 'connecting', attempt: dials, reason: `connecting to ${this.options.url}` });
      let delay: number;
      try {
        const live = await this.dial();
        dials = 0;
        this.connected(live, lastError);
        const info = await live.closed;
        this.current = undefined;
        if (!this.wanted) break;
        if (this.options.now() - live.connectedAt >= this.options.reconnect.minUptimeMs) this.backoff.reset();
        const fatal = noRetryReason(info);
        if (fatal) {
          this.fail(`${info.reason}: ${fatal}, so the client does not reconnect — check the server log, then retry`);
          break;
        }
        lastError = info.reason;
        if (comesBackAtOnce(info)) {
          this.backoff.reset();
          delay = 0;
        } else delay = this.backoff.next();
      } catch (err) {
        this.current = undefined;
        if (!this.wanted) break;
        if (err instanceof ConnectError && !err.retryable) {
          this.fail(err.message, err.status);
          break;
        }
        lastError = (err as Error).message;
        delay = this.backoff.next();
      }
      const max = this.options.reconnect.maxAttempts;
      if (max !== undefined && dials >= max) {
        this.fail(`gave up after ${dials} attempt(s): ${lastError}`);
        break;
      }
      this.setState({ kind: 'reconnecting', attempt: dials + 1, retryAt: this.options.now() + delay, lastError });
      await this.pause(delay);
    }
  }

  /** Opens a socket, initializes and has every session resumed; the connection counts only once all that worked. */
  private async dial(): Promise<LiveConnection> {
    const { url, token, connectTimeoutMs, logger, heartbeatIntervalMs, sleepToleranceMs, now } = this.options;
    const { socket, endpoint } = await openSocket(url, { token, connectTimeoutMs, logger });
    const live = new LiveConnection(socket, endpoint, { intervalMs: heartbeatIntervalMs, sleepToleranceMs, now });
    this.current = live;
    if (!this.wanted) live.drop('local', 'the client was closed');
    this.hooks.attach(live);
    try {
      const { clientInfo, capabilities, handshakeTimeoutMs } = this.options;
      const init = { protocolVersion: PROTOCOL_VERSION, clientCapabilities: capabilities, clientInfo };
      const agent = await endpoint.request(Methods.initialize, init, { timeoutMs: handshakeTimeoutMs, result: InitializeResponse });
      this.agentValue = agent;
      await this.hooks.resume(live, agent);
      return live;
    } catch (err) {
      live.drop('dead', `handshake failed: ${(err as Error).message}`);
      this.hooks.handshakeFailed();
      throw err;
    }
  }

  private connected(live: LiveConnection, after: string | undefined): void {
    live.connectedAt = this.options.now();
    live.setPaused(this.readPaused);
    const serverName = this.agentValue?.agentInfo.name ?? 'unknown server';
    const reason = after === undefined ? `connected to ${serverName} at ${this.options.url}` : `reconnected to ${serverName} after: ${after}`;
    this.setState({ kind: 'connected', since: live.connectedAt, serverName, reason });
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      waiter.resolve(live);
    }
    this.hooks.connected(live);
  }

  private whenConnected(method: string, timeoutMs: number | undefined): Promise<LiveConnection> {
    const live = this.connectedLive();
    if (live) return Promise.resolve(live);
    const state = this.stateValue;
    if (this.disposed || state.kind === 'closed') return Promise.reject(new NotConnectedError(method, 'the client was closed'));
    if (state.kind === 'failed') return Promise.reject(new NotConnectedError(method, state.reason, state.status));
    if (state.kind === 'idle' && !this.wanted) return Promise.reject(new NotConnectedError(method, 'the client was not started'));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        method,
        resolve: (l) => (clearTimeout(timer), resolve(l)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters.delete(waiter);
          const why = this.stateValue.kind === 'reconnecting' ? `; last error: ${this.stateValue.lastError}` : '';
          reject(new NotConnectedError(method, `no connection to ${this.options.url} within ${Math.round(timeoutMs)} ms${why}`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private fail(reason: string, status?: number): void {
    this.wanted = false;
    this.setState({ kind: 'failed', reason, ...(status !== undefined ? { status } : {}) });
    this.rejectEverything(reason, status);
  }

  private rejectEverything(reason: string, status?: number): void {
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter);
      waiter.reject(new NotConnectedError(waiter.method, reason, status));
    }
    this.hooks.ended(reason, status);
  }

  private setState(state: ConnectionState): void {
    this.stateValue = state;
    const { logger } = this.options;
    if (state.kind === 'reconnecting') logger.info(`reconnecting (attempt ${state.attempt}) in ${Math.max(0, state.retryAt - this.options.now())} ms: ${state.lastError}`);
    else if (state.kind === 'failed') logger.info(`connection failed: ${state.reason}`); // callers get it as an error; no second report
    else if (state.kind !== 'idle') logger.info(`${state.kind}: ${state.reason}`);
    this.stateEvents.fire(state);
  }
}
