/**
 * The client's lifecycle: one connect attempt (and client manager) at a time, made on first use for the
 * current settings and server. A settings change abandons the attempt at once, whatever it is waiting on, so
 * the newest server choice always wins; nothing here waits on a server without a deadline. A remote server is
 * checked before it is dialled, so a wrong URL or token is reported at once instead of retried forever. State
 * and updates are re-published here, so listeners survive a rebuild.
 */
import * as vscode from 'vscode';
import { NotConnectedError } from '../client/errors';
import { checkServer as defaultCheckServer, ServerCheckError, type ServerCheckOptions } from '../client/serverCheck';
import type { AgentRequestHandler, ClientManagerOptions, ConnectionState, PunieClientApi, SessionLost } from '../client/types';
import type { SessionNotification } from '../protocol/acp';
import type { Logger } from '../util/logger';
import { runInBackground } from '../util/background';
import { readConfig, type PunieConfig } from './config';
import { Disposable } from './disposable';
import type { ServerEndpoint, ServerHost } from './serverHost';
import { ServerUnreachableError } from './unreachable';

/** Makes a client manager; options it does not get keep the manager's defaults. */
export type ClientFactory = (options: Partial<ClientManagerOptions> & { url: string }) => PunieClientApi;

export interface ConnectionEvents {
  state: ConnectionState;
  endpoint: ServerEndpoint | undefined;
}

export interface ConnectionDeps {
  servers: Pick<ServerHost, 'resolve' | 'stopLocal'>;
  createClient: ClientFactory;
  agentRequests: AgentRequestHandler;
  log: Logger;
  version: string;
  /** Told when a remote server fails its check (unreachable, refuses the token), to offer the fix. */
  reportProblem(problem: ServerCheckError): void;
  checkServer?: (url: string, options: ServerCheckOptions) => Promise<void>;
}

/** What a waiting caller should do next. */
type Outcome = 'connected' | 'replaced';

/** One try at a connection for one set of settings; abandoned (aborted) when the settings change. */
class Attempt {
  readonly abort = new AbortController();
  endpoint: ServerEndpoint | undefined;
  client: PunieClientApi | undefined;
  /** Why it cannot connect (check failed, server not started, client gave up); a new attempt is needed. */
  failure: Error | undefined;
  readonly subscriptions: { dispose(): void }[] = [];
}

export class Connection extends Disposable {
  private attempt: Attempt | undefined;
  private currentState: ConnectionState = { kind: 'idle' };
  private currentEndpoint: ServerEndpoint | undefined;
  private readonly stateEmitter = this.register(new vscode.EventEmitter<ConnectionEvents>());
  private readonly updateEmitter = this.register(new vscode.EventEmitter<SessionNotification>());
  private readonly lostEmitter = this.register(new vscode.EventEmitter<SessionLost>());
  private readonly replacedEmitter = this.register(new vscode.EventEmitter<void>());
  private readonly checkServer: (url: string, options: ServerCheckOptions) => Promise<void>;
  /** Fires on every state change of the current attempt (and when there is none any more). */
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onUpdate = this.updateEmitter.event;
  readonly onSessionLost = this.lostEmitter.event;
  /** The client was replaced or stopped: its sessions are gone. */
  readonly onDidReplaceClient = this.replacedEmitter.event;

  constructor(private readonly deps: ConnectionDeps) {
    super();
    this.checkServer = deps.checkServer ?? defaultCheckServer;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get endpoint(): ServerEndpoint | undefined {
    return this.currentEndpoint;
  }

  /** The client if one exists, connected or not. */
  get current(): PunieClientApi | undefined {
    return this.attempt?.client;
  }

  get started(): boolean {
    return this.attempt !== undefined;
  }

  /**
   * The connected client, connecting first if needed (a failed attempt is tried again). Follows the newest
   * settings if they change meanwhile. Rejects after the connect timeout (ServerUnreachableError), when the
   * server check fails (ServerCheckError), when the client gives up, or when `signal` aborts.
   */
  async ensure(signal?: AbortSignal): Promise<PunieClientApi> {
    const timeoutMs = readConfig().connectTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    let attempt = this.attempt && !this.attempt.failure ? this.attempt : this.connectNow();
    for (;;) {
      const outcome = await this.settle(attempt, Math.max(0, deadline - performance.now()), timeoutMs, signal);
      if (outcome === 'connected' && attempt.client) return attempt.client;
      if (!this.attempt) throw new NotConnectedError('start', 'the connection was stopped');
      attempt = this.attempt;
    }
  }

  /** Starts an attempt now unless one is under way (a failed one is replaced); its outcome shows in the state. */
  private connectNow(): Attempt {
    if (this.attempt && !this.attempt.failure) return this.attempt;
    runInBackground('closing the failed client', this.stop(), this.deps.log);
    return this.begin();
  }

  /**
   * Drops the client now, abandoning a connect in progress, and at once starts a new attempt for the current
   * settings if a connection was wanted (or `connect`). Nothing before that waits, so of several calls in a
   * row the newest always wins. `restartLocal` also restarts the in-process server; remote settings stop it.
   * Resolves once the old client and server are closed.
   */
  async reconfigure(options: { connect?: boolean; restartLocal?: boolean } = {}): Promise<void> {
    const wanted = options.connect === true || this.started;
    const stopped = this.stop();
    const remote = readConfig().mode === 'remote';
    const stopLocal = options.restartLocal || remote ? this.deps.servers.stopLocal() : undefined;
    // A remote server does not need the local one gone first; a restarted local one does.
    if (wanted) this.begin(remote ? undefined : stopLocal);
    await Promise.all([stopped, stopLocal]);
  }

  /** "Reconnect Now": skips the backoff wait, or starts over when the attempt failed or there is none. */
  retryNow(): void {
    const attempt = this.attempt;
    if (attempt?.client && !attempt.failure) attempt.client.retryNow();
    else this.connectNow();
  }

  /** Drops the attempt at once (the state is `idle` right away); resolves once its client is closed. */
  async stop(): Promise<void> {
    const attempt = this.attempt;
    this.attempt = undefined;
    if (attempt) {
      attempt.abort.abort();
      for (const s of attempt.subscriptions.splice(0)) s.dispose();
    }
    this.setState({ kind: 'idle' }, undefined);
    if (!attempt?.client) return;
    this.replacedEmitter.fire();
    await attempt.client.dispose().catch((err: Error) => this.deps.log.warn(`closing the client failed: ${err.message}`));
  }

  override dispose(): void {
    runInBackground('stop the connection', this.stop(), this.deps.log);
    super.dispose();
  }

  /** Replaces the attempt synchronously; `ready` is what must finish before it may resolve the server. */
  private begin(ready?: Promise<void>): Attempt {
    const attempt = new Attempt();
    this.attempt = attempt;
    this.setState({ kind: 'connecting', attempt: 1, reason: 'starting' }, undefined);
    runInBackground('connect', this.run(attempt, ready), this.deps.log);
    return attempt;
  }

  private async run(attempt: Attempt, ready: Promise<void> | undefined): Promise<void> {
    const abandoned = () => attempt.abort.signal.aborted;
    try {
      await ready;
      if (abandoned()) return;
      const config = readConfig();
      const endpoint = await this.deps.servers.resolve(config);
      if (abandoned()) return;
      attempt.endpoint = endpoint;
      this.setState({ kind: 'connecting', attempt: 1, reason: `checking ${endpoint.url}` }, endpoint);
      if (endpoint.mode === 'remote') await this.checkServer(endpoint.url, { token: endpoint.token, timeoutMs: config.connectTimeoutMs, signal: attempt.abort.signal });
      if (abandoned()) return;
      const client = this.deps.createClient(this.clientOptions(config, endpoint));
      attempt.client = client;
      client.setAgentRequestHandler(this.deps.agentRequests);
      attempt.subscriptions.push(
        client.onStateChange((state) => {
          if (this.attempt !== attempt) return;
          if (state.kind === 'failed' || state.kind === 'closed') attempt.failure ??= new NotConnectedError('start', state.reason);
          this.setState(state, endpoint);
        }),
        client.onUpdate((n) => this.updateEmitter.fire(n)),
        client.onSessionLost((lost) => this.lostEmitter.fire(lost)),
      );
      this.deps.log.info(`connecting to the ${endpoint.mode} server at ${endpoint.url}`);
      this.setState(client.state, endpoint);
      // Resolves once connected; with unlimited reconnects it may never settle, and nobody waits on it.
      await client.start();
    } catch (err) {
      // A client that gave up has published its own `failed` state.
      if (abandoned() || this.attempt !== attempt || attempt.client) return;
      const error = err as Error;
      attempt.failure ??= error;
      this.deps.log.warn(`cannot connect${attempt.endpoint ? ` to ${attempt.endpoint.url}` : ''}: ${error.message}`);
      this.setState({ kind: 'failed', reason: error.message }, attempt.endpoint);
      if (error instanceof ServerCheckError) this.deps.reportProblem(error);
    }
  }

  /** Waits until the attempt is connected or replaced, and rejects when it fails, the time is up or `signal` aborts. */
  private settle(attempt: Attempt, remainingMs: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      const check = (): boolean => {
        if (this.attempt !== attempt) return finish(() => resolve('replaced'));
        if (attempt.failure) return finish(() => reject(attempt.failure));
        if (attempt.client?.state.kind === 'connected') return finish(() => resolve('connected'));
        return false;
      };
      const finish = (settleNow: () => void): true => {
        clearTimeout(timer);
        sub.dispose();
        signal?.removeEventListener('abort', onAbort);
        settleNow();
        return true;
      };
      const onAbort = () => finish(() => reject(new NotConnectedError('start', 'cancelled while waiting for the server')));
      const timer = setTimeout(() => {
        const state = this.currentState;
        const lastError = state.kind === 'reconnecting' ? state.lastError : undefined;
        finish(() => reject(new ServerUnreachableError(attempt.endpoint?.mode ?? readConfig().mode, attempt.endpoint?.url, timeoutMs, lastError)));
      }, remainingMs);
      const sub = this.onDidChangeState(() => check());
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      else check();
    });
  }

  private clientOptions(config: PunieConfig, endpoint: ServerEndpoint): Partial<ClientManagerOptions> & { url: string } {
    const trusted = vscode.workspace.isTrusted;
    return {
      url: endpoint.url,
      token: endpoint.token,
      clientInfo: { name: 'punie-vscode', version: this.deps.version },
      // An untrusted workspace gets no writes and no terminals; the handlers refuse them too.
      capabilities: { fs: { readTextFile: true, writeTextFile: trusted }, terminal: trusted },
      connectTimeoutMs: config.connectTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      promptInactivityTimeoutMs: config.promptInactivityTimeoutMs,
      promptTotalTimeoutMs: config.promptTotalTimeoutMs > 0 ? config.promptTotalTimeoutMs : undefined,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      reconnect: {
        initialDelayMs: config.reconnectInitialDelayMs,
        maxDelayMs: Math.max(config.reconnectMaxDelayMs, config.reconnectInitialDelayMs),
        maxAttempts: config.reconnectMaxAttempts > 0 ? config.reconnectMaxAttempts : undefined,
        minUptimeMs: config.reconnectMinUptimeMs,
      },
      logger: this.deps.log,
      now: Date.now,
    };
  }

  private setState(state: ConnectionState, endpoint: ServerEndpoint | undefined): void {
    this.currentState = state;
    this.currentEndpoint = endpoint;
    this.stateEmitter.fire({ state, endpoint });
  }
}
