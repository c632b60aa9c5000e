/**
 * PunieClient: the one way the extension, `punie ask` and `punie stdio` talk to a Punie server. It joins
 * the connection loop (connect, heartbeat, backoff) with the prompt router (prompts and owed cancels
 * across reconnects) and the session table; after every reconnect it initializes and resumes each of its
 * sessions before it says `connected`, so updates arrive exactly once and in order and a prompt in flight
 * completes with its real stopReason. Every answer it reads is checked against the protocol's schemas.
 * Plain Node: no `vscode` import.
 */
import { Methods, NewSessionResponse, type ContentBlock, type InitializeResponse, type SessionNotification, type StopReason } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { META_RESUME_TOKEN, META_SEQ, PROMPT_FINISHED, ResumeResponse, SESSION_TAKEN } from '../protocol/punie';
import { AgentRequests } from './agentRequestTracker';
import { ConnectionLoop, type ConnectionHooks } from './connectionLoop';
import { NotConnectedError } from './errors';
import { Emitter } from './events';
import type { LiveConnection } from './live';
import { resolveClientOptions, type ClientOptionsInput } from './options';
import { PromptRouter } from './promptRouter';
import { resultSchema } from './results';
import { letGo, resumeSession, type ResumeContext } from './resume';
import { SessionTable } from './sessionTable';
import type { AgentRequestHandler, ClientManagerOptions, ConnectionState, Disposable, NewSessionOptions, OpenSessionOptions, PunieClientApi, SessionHandle, SessionLost } from './types';

export class PunieClient implements PunieClientApi {
  readonly options: ClientManagerOptions;
  private readonly loop: ConnectionLoop;
  private readonly router: PromptRouter;
  private readonly updateEvents: Emitter<SessionNotification>;
  private readonly lostEvents: Emitter<SessionLost>;
  private readonly sessions: SessionTable;
  private readonly agentRequests: AgentRequests;

  constructor(input: ClientOptionsInput) {
    this.options = resolveClientOptions(input);
    const { logger } = this.options;
    this.updateEvents = new Emitter('update', logger);
    this.lostEvents = new Emitter('session-lost', logger);
    this.sessions = new SessionTable({ update: (n) => this.deliver(n), promptFinished: (p) => this.router.finished(p) }, logger);
    this.loop = new ConnectionLoop(this.options, this.hooks());
    this.router = new PromptRouter(this.loop, this.options);
    this.agentRequests = new AgentRequests((sessionId) => this.router.hold(sessionId));
  }

  get state(): ConnectionState {
    return this.loop.state;
  }

  get agent(): InitializeResponse | undefined {
    return this.loop.agent;
  }

  onStateChange(listener: (state: ConnectionState) => void): Disposable {
    return this.loop.onStateChange(listener);
  }

  onUpdate(listener: (notification: SessionNotification) => void): Disposable {
    return this.updateEvents.event(listener);
  }

  onSessionLost(listener: (lost: SessionLost) => void): Disposable {
    return this.lostEvents.event(listener);
  }

  get bufferedAmount(): number {
    return this.loop.bufferedAmount;
  }

  setReadPaused(paused: boolean): void {
    this.loop.setReadPaused(paused);
  }

  setAgentRequestHandler(handler: AgentRequestHandler): void {
    this.agentRequests.setHandler(handler);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  retryNow(): void {
    this.loop.retryNow();
  }

  async newSession(cwd: string, options: NewSessionOptions = {}): Promise<SessionHandle> {
    const mcpServers = options.mcpServers ?? [];
    const response = await this.loop.request(Methods.sessionNew, { cwd, mcpServers, ...(options.model ? { _meta: { model: options.model } } : {}) }, { result: NewSessionResponse });
    const token = response._meta?.[META_RESUME_TOKEN];
    this.sessions.add({ id: response.sessionId, cwd, model: options.model, mcpServers, token: typeof token === 'string' ? token : undefined });
    return { sessionId: response.sessionId, cwd, response };
  }

  /**
   * Attaches an existing session of this user (from `session/list`, an earlier run, another window); from
   * then on it is resumed like one this client created. Without `replay` it is `session/resume`; with it,
   * `session/load`, whose transcript arrives first as `session/update`s marked `_meta.replay`.
   */
  async openSession(sessionId: string, cwd: string, options: OpenSessionOptions = {}): Promise<SessionHandle> {
    const mcpServers = options.mcpServers ?? [];
    const method = options.replay ? Methods.sessionLoad : Methods.sessionResume;
    const response = await this.loop.request(method, { sessionId, cwd, mcpServers }, { result: ResumeResponse });
    const token = response?._meta?.[META_RESUME_TOKEN];
    const entry = this.sessions.add({ id: sessionId, cwd, model: undefined, mcpServers, token: typeof token === 'string' ? token : undefined });
    const seq = response?._meta?.[META_SEQ];
    if (typeof seq === 'number') entry.lastSeq = seq;
    return { sessionId, cwd, response: { ...response, sessionId } };
  }

  prompt(sessionId: string, prompt: ContentBlock[], options: { signal?: AbortSignal } = {}): Promise<StopReason> {
    if (this.loop.isDisposed) return Promise.reject(new NotConnectedError(Methods.sessionPrompt, 'the client was closed'));
    if (!this.sessions.get(sessionId)) {
      return Promise.reject(new RpcError(ErrorCodes.ResourceNotFound, `session/prompt: unknown session ${sessionId} (it expired, or this client did not create it)`, { sessionId }));
    }
    return this.router.prompt(sessionId, prompt, options.signal);
  }

  cancel(sessionId: string): Promise<void> {
    return this.router.cancel(sessionId);
  }

  request<T = unknown>(method: string, params: unknown, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    return this.loop.request<T>(method, params, { ...options, result: resultSchema<T>(method) });
  }

  async dispose(): Promise<void> {
    const closing = this.loop.dispose();
    this.agentRequests.abortAll('the client was closed');
    await closing;
  }

  /** The client's side of each connection the loop makes. */
  private hooks(): ConnectionHooks {
    return {
      attach: (live) => {
        live.endpoint.onNotification((method, params) => {
          if (!live.isOver && (method === Methods.sessionUpdate || method === PROMPT_FINISHED)) this.sessions.receive(method, params);
          const taken = method === SESSION_TAKEN ? (params as { sessionId?: unknown } | undefined)?.sessionId : undefined;
          if (typeof taken === 'string') letGo({ sessions: this.sessions, prompts: this.router.calls, agentRequests: this.agentRequests, lost: (e) => this.lostEvents.fire(e) }, taken, 'the server moved it to a newer connection');
        });
        live.endpoint.onRequest((request) => this.agentRequests.handle(request, () => live.endpoint.isClosed));
      },
      resume: async (live, agent) => {
        const ctx = this.resumeContext(live, agent);
        const results = await Promise.allSettled(this.sessions.all().map((s) => resumeSession(ctx, s)));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      },
      // Held updates were not delivered: the next resume asks for them again.
      handshakeFailed: () => this.sessions.all().forEach((session) => this.sessions.take(session)),
      connected: (live) => this.router.connected(live),
      ended: (reason, status) => this.router.failAll(reason, status),
    };
  }

  private resumeContext(live: LiveConnection, agent: InitializeResponse): ResumeContext {
    return {
      live,
      agent,
      options: this.options,
      sessions: this.sessions,
      prompts: this.router.calls,
      agentRequests: this.agentRequests,
      deliver: (n) => this.deliver(n),
      lost: (event) => this.lostEvents.fire(event),
    };
  }

  private deliver(notification: SessionNotification): void {
    this.router.touch(notification.sessionId);
    this.updateEvents.fire(notification);
  }
}
