/**
 * The public contract of the client manager (`src/client`): the one way the extension, `punie ask` and
 * `punie stdio` talk to a Punie server, local or remote. The implementation lives beside this file.
 */
import type { ClientCapabilities, ContentBlock, InitializeResponse, NewSessionResponse, SessionNotification, StopReason } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import type { Logger } from '../util/logger';

/**
 * Every state carries what a UI needs to show it: `connecting → connected → reconnecting → connected`, and
 * `failed` / `closed`. During `reconnecting` the next attempt starts at `retryAt` (already past while it
 * dials and resumes); `lastError` says why the connection is down.
 */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number; reason: string }
  | { kind: 'connected'; since: number; serverName: string; reason: string }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; lastError: string }
  /** `status`: the HTTP status the server refused the connection with (401: a wrong or missing token). */
  | { kind: 'failed'; reason: string; status?: number }
  | { kind: 'closed'; reason: string };

export interface ReconnectOptions {
  /** First retry waits at most this long (full jitter: uniform in [0, delay]). */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Unlimited when undefined. */
  maxAttempts?: number;
  /** The backoff resets only after a connection stayed up this long. */
  minUptimeMs: number;
}

export interface ClientManagerOptions {
  /** `ws://host:port/ws` (Punie dialect) or `ws://host:port/acp` (strict ACP). */
  url: string;
  token?: string;
  clientInfo: { name: string; version: string };
  capabilities: ClientCapabilities;
  connectTimeoutMs: number;
  /** Each request of the handshake after a connect: initialize, and session/resume or session/load per session. */
  handshakeTimeoutMs: number;
  /** Control requests (session/new, …). */
  requestTimeoutMs: number;
  /** A prompt fails when its session shows no activity for this long; every update resets it. */
  promptInactivityTimeoutMs: number;
  /** Optional hard cap on a whole prompt; off when undefined. */
  promptTotalTimeoutMs?: number;
  /** A ws ping this often; no answer (pong or message) for two intervals means the server is gone. */
  heartbeatIntervalMs: number;
  /** Heartbeat timers that fire this much later than due mean the machine slept: reconnect at once. */
  sleepToleranceMs: number;
  reconnect: ReconnectOptions;
  /** How long to keep retrying a resume the server refuses because the old connection still looks alive to it. */
  resumeRetryWindowMs: number;
  logger: Logger;
  /** Wall clock, injectable for tests (sleep detection compares it with timer progress). */
  now: () => number;
  /** Uniform in [0, 1), injectable for tests (backoff jitter). */
  random: () => number;
}

/**
 * Answers agent→client requests (fs, terminal, permission). Throw an RpcError to answer with an error. The
 * manager always passes `id`, the server's request id, the same on every connection the request is sent on
 * (a bridge passes it on); it is optional so a handler can also be called directly.
 */
export type AgentRequestHandler = (method: string, params: unknown, signal: AbortSignal, id?: RequestId) => Promise<unknown>;

export interface SessionHandle {
  sessionId: string;
  cwd: string;
  /** The server's whole `session/new` answer (modes, `_meta`), for bridges that pass it on. */
  response: NewSessionResponse;
}

export interface NewSessionOptions {
  /** Punie extension (`_meta.model`): the model of this session, e.g. `test` or `ollama:llama3.2`. */
  model?: string;
  /** ACP `mcpServers`, passed through unchanged (default none). */
  mcpServers?: unknown[];
}

/** Why a session could not be resumed, and what the client did about it. */
export interface SessionLost {
  sessionId: string;
  reason: string;
  /**
   * The session was reloaded with `session/load` (transcript replayed) or replaced by a fresh one; `taken`:
   * a newer connection of the same user (another window) opened it, and this client leaves it alone.
   */
  recovery: 'reloaded' | 'new-session' | 'none' | 'taken';
  replacementSessionId?: string;
}

export interface Disposable {
  dispose(): void;
}

export interface OpenSessionOptions {
  replay?: boolean;
  mcpServers?: NewSessionOptions['mcpServers'];
}

export interface PunieClientApi {
  readonly state: ConnectionState;
  /** The server's `initialize` answer on the current (or last) connection. */
  readonly agent: InitializeResponse | undefined;
  onStateChange(listener: (state: ConnectionState) => void): Disposable;
  /**
   * Every `session/update`, exactly once and in order per session (duplicates dropped by seq). After a
   * {@link SessionLost} with recovery `reloaded`, the session's whole transcript follows (`_meta.replay`).
   */
  onUpdate(listener: (notification: SessionNotification) => void): Disposable;
  onSessionLost(listener: (lost: SessionLost) => void): Disposable;
  /**
   * Answers agent→client requests. One call per request id, even when the server sends it again after a
   * reconnect (the answer goes to whichever connection is current). The signal aborts on the server's
   * `$/cancel_request`, when the session is lost, and on dispose — not on a dropped connection.
   */
  setAgentRequestHandler(handler: AgentRequestHandler): void;
  /** Connects (and keeps reconnecting while wanted); resolves once connected the first time, rejects on `failed`. */
  start(): Promise<void>;
  newSession(cwd: string, options?: NewSessionOptions): Promise<SessionHandle>;
  /**
   * Attaches an existing session of this user; it is then resumed like one this client created. With
   * `replay` (`session/load`) its transcript is delivered first, as updates marked `_meta.replay`.
   */
  openSession(sessionId: string, cwd: string, options?: OpenSessionOptions): Promise<SessionHandle>;
  /**
   * Survives drops: a prompt in flight completes with its real stopReason after a resume; one made while
   * reconnecting is sent once the session is resumed. Aborting the signal cancels the turn (`cancelled`).
   * Rejects with RequestTimeoutError after `promptInactivityTimeoutMs` without an update of the session,
   * SessionExpiredError when the session could not be resumed, PromptLostError when the server cannot replay.
   */
  prompt(sessionId: string, prompt: ContentBlock[], options?: { signal?: AbortSignal }): Promise<StopReason>;
  /** `session/cancel`, now or right after the session is resumed. */
  cancel(sessionId: string): Promise<void>;
  /**
   * Any other client→agent request (session/set_mode, session/list, extension methods…). Waits for the
   * connection up to the timeout; rejects at once with ConnectionClosedError if the connection drops.
   */
  request<T = unknown>(method: string, params: unknown, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<T>;
  /** Bytes queued on the current socket but not yet sent (0 while there is none): a bridge pauses its input above a watermark. */
  readonly bufferedAmount: number;
  /**
   * Stops (true) or resumes (false) reading the server's socket, for a consumer that cannot keep up; it
   * holds across reconnects. While paused the heartbeat does not count the silence as a dead server.
   */
  setReadPaused(paused: boolean): void;
  /** Skips the backoff wait and reconnects now. */
  retryNow(): void;
  /** Closes with 1000 and stops reconnecting; pending calls reject at once. */
  dispose(): Promise<void>;
}
