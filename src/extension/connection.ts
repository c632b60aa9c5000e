/**
 * The client's lifecycle: one client manager at a time, created on first use for the current settings and
 * server, rebuilt when the settings change or the local server restarts. Its state and updates are
 * re-published here, so listeners survive a rebuild.
 */
import * as vscode from 'vscode';
import type { SessionNotification } from '../protocol/acp';
import { NotConnectedError } from '../client/errors';
import type { AgentRequestHandler, ClientManagerOptions, ConnectionState, PunieClientApi, SessionLost } from '../client/types';
import type { Logger } from '../transport/logger';
import { readConfig, type PunieConfig } from './config';
import type { ServerEndpoint, ServerHost } from './serverHost';

/** Makes a client manager; options it does not get keep the manager's defaults. */
export type ClientFactory = (options: Partial<ClientManagerOptions> & { url: string }) => PunieClientApi;

export interface ConnectionEvents {
  state: ConnectionState;
  endpoint: ServerEndpoint | undefined;
}

export class Connection implements vscode.Disposable {
  private client: PunieClientApi | undefined;
  private starting: Promise<PunieClientApi> | undefined;
  private subscriptions: { dispose(): void }[] = [];
  private currentState: ConnectionState = { kind: 'idle' };
  private currentEndpoint: ServerEndpoint | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ConnectionEvents>();
  private readonly updateEmitter = new vscode.EventEmitter<SessionNotification>();
  private readonly lostEmitter = new vscode.EventEmitter<SessionLost>();
  private readonly replacedEmitter = new vscode.EventEmitter<void>();
  /** Fires on every state change of the current client (and when there is none any more). */
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onUpdate = this.updateEmitter.event;
  readonly onSessionLost = this.lostEmitter.event;
  /** The client was replaced or stopped: its sessions are gone. */
  readonly onDidReplaceClient = this.replacedEmitter.event;

  constructor(
    private readonly servers: ServerHost,
    private readonly createClient: ClientFactory,
    private readonly agentRequests: AgentRequestHandler,
    private readonly log: Logger,
    private readonly version: string,
  ) {}

  get state(): ConnectionState {
    return this.currentState;
  }

  get endpoint(): ServerEndpoint | undefined {
    return this.currentEndpoint;
  }

  /** The client if one exists, connected or not. */
  get current(): PunieClientApi | undefined {
    return this.client;
  }

  get started(): boolean {
    return this.client !== undefined || this.starting !== undefined;
  }

  /** The connected client, connecting first if needed. Rejects when the connection cannot be made or `signal` aborts. */
  async ensure(signal?: AbortSignal): Promise<PunieClientApi> {
    const client = this.client ?? (await (this.starting ??= this.start().finally(() => (this.starting = undefined))));
    if (client.state.kind === 'connected') return client;
    if (client.state.kind === 'failed' || client.state.kind === 'closed') {
      const state = client.state;
      await this.stop(state);
      throw notConnected(state);
    }
    // Reconnecting: wait until it is back (the banner shows the countdown), or the caller gives up.
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        sub.dispose();
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onAbort = () => done(new Error('cancelled while waiting for the server'));
      const sub = this.onDidChangeState(({ state }) => {
        if (state.kind === 'connected') done();
        else if (state.kind === 'failed' || state.kind === 'closed') done(notConnected(state));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return client;
  }

  /** Rebuilds the client for the current settings if one was started (settings changed, server restarted). */
  async restart(): Promise<void> {
    const wasStarted = this.started;
    await this.stop();
    if (wasStarted) await this.ensure().catch((err: Error) => this.log.warn(`reconnect after a settings change failed: ${err.message}`));
  }

  retryNow(): void {
    if (this.client) this.client.retryNow();
    else void this.ensure().catch((err: Error) => this.log.warn(`connect failed: ${err.message}`));
  }

  /** Disposes the client; the state becomes `final` (idle unless a failure should stay visible). */
  async stop(final: ConnectionState = { kind: 'idle' }): Promise<void> {
    const pending = this.starting;
    this.starting = undefined;
    const client = this.client ?? (await pending?.catch(() => undefined));
    this.client = undefined;
    for (const s of this.subscriptions.splice(0)) s.dispose();
    if (client) {
      await client.dispose().catch(() => {});
      this.replacedEmitter.fire();
    }
    this.setState(final, undefined);
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.updateEmitter.dispose();
    this.lostEmitter.dispose();
    this.replacedEmitter.dispose();
  }

  private async start(): Promise<PunieClientApi> {
    const config = readConfig();
    this.setState({ kind: 'connecting', attempt: 1, reason: 'starting' } as ConnectionState, this.currentEndpoint);
    let endpoint: ServerEndpoint;
    try {
      endpoint = await this.servers.resolve(config);
    } catch (err) {
      this.setState({ kind: 'failed', reason: (err as Error).message }, undefined);
      throw err;
    }
    const client = this.createClient(this.clientOptions(config, endpoint));
    client.setAgentRequestHandler(this.agentRequests);
    this.subscriptions.push(
      client.onStateChange((state) => {
        if (this.client === client) this.setState(state, endpoint);
      }),
      client.onUpdate((n) => this.updateEmitter.fire(n)),
      client.onSessionLost((lost) => this.lostEmitter.fire(lost)),
    );
    this.client = client;
    this.log.info(`connecting to the ${endpoint.mode} server at ${endpoint.url}`);
    this.setState(client.state, endpoint);
    try {
      await client.start();
    } catch (err) {
      this.setState({ kind: 'failed', reason: (err as Error).message }, endpoint);
    }
    return client;
  }

  private clientOptions(config: PunieConfig, endpoint: ServerEndpoint): Partial<ClientManagerOptions> & { url: string } {
    const trusted = vscode.workspace.isTrusted;
    return {
      url: endpoint.url,
      token: endpoint.token,
      clientInfo: { name: 'punie-vscode', version: this.version },
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
      logger: this.log,
      now: Date.now,
    };
  }

  private setState(state: ConnectionState, endpoint: ServerEndpoint | undefined): void {
    this.currentState = state;
    this.currentEndpoint = endpoint;
    this.stateEmitter.fire({ state, endpoint });
  }
}

/** A typed failure (with the refusing HTTP status, if any), so the chat words it by status, not by message text. */
function notConnected(state: Extract<ConnectionState, { kind: 'failed' | 'closed' }>): NotConnectedError {
  return new NotConnectedError('start', state.reason, state.kind === 'failed' ? state.status : undefined);
}
