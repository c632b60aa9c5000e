/**
 * The client manager: the one way the extension, `punie ask` and `punie stdio` talk to a Punie server. One
 * wanted connection at a time (single-flight), kept alive by a heartbeat and brought back by backoff with
 * full jitter; after every reconnect it initializes and resumes each of its sessions before it says
 * `connected`, so updates arrive exactly once and in order and a prompt in flight completes with its real
 * stopReason. Plain Node: no `vscode` import.
 */
import { randomUUID } from 'node:crypto';
import { Methods, PROTOCOL_VERSION, type ContentBlock, type InitializeResponse, type NewSessionResponse, type PromptResponse, type SessionNotification, type StopReason } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import { META_RESUME_TOKEN, PROMPT_FINISHED } from '../protocol/punie';
import { ConnectionClosedError } from '../transport/errors';
import { AgentRequests } from './agentRequestTracker';
import { Backoff } from './backoff';
import { NotConnectedError } from './errors';
import { Emitter } from './events';
import { LiveConnection, comesBackAtOnce, noRetryReason } from './live';
import { resolveClientOptions, type ClientOptionsInput } from './options';
import { PromptCall, PromptCalls } from './prompts';
import { resumeSession, type ResumeContext } from './resume';
import { SessionTable, type PromptFinishedParams } from './sessionTable';
import { ConnectError, openSocket } from './socket';
import type { AgentRequestHandler, ClientManagerOptions, ConnectionState, Disposable, NewSessionOptions, PunieClientApi, SessionHandle, SessionLost } from './types';

interface Waiter {
  resolve(live: LiveConnection): void;
  reject(error: Error): void;
  method: string;
}

export class PunieClient implements PunieClientApi {
  readonly options: ClientManagerOptions;
  private stateValue: ConnectionState = { kind: 'idle' };
  private agentValue: InitializeResponse | undefined;
  private current: LiveConnection | undefined;
  private readonly stateEvents: Emitter<ConnectionState>;
  private readonly updateEvents: Emitter<SessionNotification>;
  private readonly lostEvents: Emitter<SessionLost>;
  private readonly sessions: SessionTable;
  private readonly prompts = new PromptCalls();
  private readonly agentRequests = new AgentRequests((sessionId) => this.holdPrompts(sessionId));
  private readonly backoff: Backoff;
  private readonly waiters = new Set<Waiter>();
  /** Sessions owed a `session/cancel` once they are resumed. */
  private readonly owedCancels = new Set<string>();
  private wanted = false;
  private disposed = false;
  private readPaused = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(input: ClientOptionsInput) {
    this.options = resolveClientOptions(input);
    const { logger } = this.options;
    this.stateEvents = new Emitter('state', logger);
    this.updateEvents = new Emitter('update', logger);
    this.lostEvents = new Emitter('session-lost', logger);
    this.backoff = new Backoff(this.options.reconnect, this.options.random);
    this.sessions = new SessionTable({ update: (n) => this.deliver(n), promptFinished: (p) => this.promptFinished(p) });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get agent(): InitializeResponse | undefined {
    return this.agentValue;
  }

  onStateChange(listener: (state: ConnectionState) => void): Disposable {
    return this.stateEvents.event(listener);
  }

  onUpdate(listener: (notification: SessionNotification) => void): Disposable {
    return this.updateEvents.event(listener);
  }

  onSessionLost(listener: (lost: SessionLost) => void): Disposable {
    return this.lostEvents.event(listener);
  }

  get bufferedAmount(): number {
    return this.current?.socket.bufferedAmount ?? 0;
  }

  /** Applies to the connected socket; a handshake is always read, so a resume never waits on the consumer. */
  setReadPaused(paused: boolean): void {
    this.readPaused = paused;
    this.connectedLive()?.setPaused(paused);
  }

  setAgentRequestHandler(handler: AgentRequestHandler): void {
    this.agentRequests.setHandler(handler);
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

  async newSession(cwd: string, options: NewSessionOptions = {}): Promise<SessionHandle> {
    const mcpServers = options.mcpServers ?? [];
    const response = await this.request<NewSessionResponse>(Methods.sessionNew, { cwd, mcpServers, ...(options.model ? { _meta: { model: options.model } } : {}) });
    const token = response._meta?.[META_RESUME_TOKEN];
    this.sessions.add({ id: response.sessionId, cwd, model: options.model, mcpServers, token: typeof token === 'string' ? token : undefined });
    return { sessionId: response.sessionId, cwd, response };
  }

  prompt(sessionId: string, prompt: ContentBlock[], options: { signal?: AbortSignal } = {}): Promise<StopReason> {
    if (this.disposed) return Promise.reject(new NotConnectedError(Methods.sessionPrompt, 'the client was closed'));
    if (!this.sessions.get(sessionId)) {
      return Promise.reject(new RpcError(ErrorCodes.ResourceNotFound, `session/prompt: unknown session ${sessionId} (it expired, or this client did not create it)`, { sessionId }));
    }
    const { promptInactivityTimeoutMs, promptTotalTimeoutMs } = this.options;
    const call = new PromptCall(sessionId, prompt, { inactivityMs: promptInactivityTimeoutMs, totalMs: promptTotalTimeoutMs }, (c) => {
      if (c.requestId !== undefined) void this.sendCancel(c.sessionId);
    });
    this.prompts.add(call);
    const live = this.connectedLive();
    if (live) this.sendPrompt(call, live);
    if (options.signal?.aborted) this.abortPrompt(call);
    else options.signal?.addEventListener('abort', () => this.abortPrompt(call), { once: true });
    return call.promise;
  }

  async cancel(sessionId: string): Promise<void> {
    for (const call of this.prompts.forSession(sessionId)) if (call.requestId === undefined) call.resolve('cancelled');
    await this.sendCancel(sessionId);
  }

  /** `session/cancel` now, or owed until the session is resumed. */
  private async sendCancel(sessionId: string): Promise<void> {
    const live = this.connectedLive();
    if (!live) {
      this.owedCancels.add(sessionId);
      return;
    }
    await live.endpoint.notify(Methods.sessionCancel, { sessionId }).catch(() => this.owedCancels.add(sessionId));
  }

  async request<T = unknown>(method: string, params: unknown, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const live = await this.whenConnected(method, Math.max(1, Math.ceil(deadline - performance.now())));
      // A stale connection (the machine slept) is dropped here, and the request waits for the next one.
      if (!live.heartbeat.check()) continue;
      return live.endpoint.request<T>(method, params, { timeoutMs: Math.max(1, Math.ceil(deadline - performance.now())), signal: options.signal });
    }
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
    this.agentRequests.abortAll('the client was closed');
    if (live) {
      await Promise.race([new Promise((resolve) => live.socket.once('close', resolve)), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    }
  }

  /** Starts the loop, or queues a fresh one behind a loop that is just ending (a listener of `failed` may call this). */
  private want(): void {
    if (this.wanted && this.loop) return;
    this.wanted = true;
    this.backoff.reset();
    const run = (this.loop ?? Promise.resolve()).then(() => this.run());
    this.loop = run;
    void run.finally(() => {
      if (this.loop === run) this.loop = undefined;
    });
  }

  /** The connection loop; at most one runs (single-flight). */
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

  /** Opens a socket, initializes and resumes every session; the connection counts only once all that worked. */
  private async dial(): Promise<LiveConnection> {
    const { url, token, connectTimeoutMs, logger, heartbeatIntervalMs, sleepToleranceMs, now } = this.options;
    const { socket, endpoint } = await openSocket(url, { token, connectTimeoutMs, logger });
    const live = new LiveConnection(socket, endpoint, { intervalMs: heartbeatIntervalMs, sleepToleranceMs, now });
    this.current = live;
    if (!this.wanted) live.drop('local', 'the client was closed');
    endpoint.onNotification((method, params) => {
      if (!live.isOver && (method === Methods.sessionUpdate || method === PROMPT_FINISHED)) this.sessions.receive(method, params);
    });
    endpoint.onRequest((request) => this.agentRequests.handle(request, () => endpoint.isClosed));
    try {
      const { clientInfo, capabilities, handshakeTimeoutMs } = this.options;
      const init = { protocolVersion: PROTOCOL_VERSION, clientCapabilities: capabilities, clientInfo };
      const agent = await endpoint.request<InitializeResponse>(Methods.initialize, init, { timeoutMs: handshakeTimeoutMs });
      this.agentValue = agent;
      const ctx = this.resumeContext(live, agent);
      const results = await Promise.allSettled(this.sessions.all().map((s) => resumeSession(ctx, s)));
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      return live;
    } catch (err) {
      live.drop('dead', `handshake failed: ${(err as Error).message}`);
      // Held updates were not delivered: the next resume asks for them again.
      for (const session of this.sessions.all()) this.sessions.take(session);
      throw err;
    }
  }

  private resumeContext(live: LiveConnection, agent: InitializeResponse): ResumeContext {
    return {
      live,
      agent,
      options: this.options,
      sessions: this.sessions,
      prompts: this.prompts,
      agentRequests: this.agentRequests,
      deliver: (n) => this.deliver(n),
      lost: (event) => this.lostEvents.fire(event),
    };
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
    for (const sessionId of this.owedCancels) void live.endpoint.notify(Methods.sessionCancel, { sessionId }).catch(() => {});
    this.owedCancels.clear();
    for (const call of this.prompts.all()) if (call.requestId === undefined) this.sendPrompt(call, live);
  }

  private sendPrompt(call: PromptCall, live: LiveConnection): void {
    if (!live.heartbeat.check()) return; // stale: it goes out after the resume
    const id = randomUUID();
    call.requestId = id;
    live.endpoint.request<PromptResponse>(Methods.sessionPrompt, { sessionId: call.sessionId, prompt: call.blocks }, { id }).then(
      (response) => call.resolve(response.stopReason),
      (err: Error) => {
        // A dropped connection is not the prompt's failure: the resume decides what became of it.
        if (!(err instanceof ConnectionClosedError)) call.reject(err);
      },
    );
  }

  private abortPrompt(call: PromptCall): void {
    if (call.settled) return;
    if (call.requestId === undefined) {
      call.resolve('cancelled');
      return;
    }
    void this.sendCancel(call.sessionId);
    // Connected: the server answers `cancelled`. Otherwise that answer waits for the resume; do not make the caller wait.
    if (!this.connectedLive()) call.resolve('cancelled');
  }

  /** The session's prompts wait on the client's own answer: no inactivity timeout until it is given. */
  private holdPrompts(sessionId: string): () => void {
    const calls = this.prompts.forSession(sessionId);
    for (const call of calls) call.hold();
    return () => calls.forEach((call) => call.release());
  }

  private deliver(notification: SessionNotification): void {
    for (const call of this.prompts.forSession(notification.sessionId)) call.touch();
    this.updateEvents.fire(notification);
  }

  private promptFinished(params: PromptFinishedParams): void {
    const call = this.prompts.find(params.sessionId, params.requestId);
    if (!call) return;
    if (params.error) call.reject(new RpcError(params.error.code, `session/prompt (request id ${JSON.stringify(params.requestId)}) failed: ${params.error.message}`, params.error.data));
    else call.resolve((params.stopReason ?? 'end_turn') as StopReason);
  }

  private connectedLive(): LiveConnection | undefined {
    const live = this.current;
    return this.stateValue.kind === 'connected' && live && !live.isOver ? live : undefined;
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
    for (const call of this.prompts.all()) call.reject(new NotConnectedError(Methods.sessionPrompt, reason, status));
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
