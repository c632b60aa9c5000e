/**
 * The public contract of the client manager (`src/client`): the one way the extension, `punie ask` and
 * `punie stdio` talk to a Punie server, local or remote. The implementation lives beside this file.
 */
import type { ClientCapabilities, ContentBlock, SessionNotification, StopReason } from '../protocol/acp';
import type { Logger } from '../transport/logger';

/** Every state carries what a UI needs to show it. */
export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected'; since: number; serverName: string }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; lastError: string }
  | { kind: 'failed'; reason: string }
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
  /** Control requests (initialize, session/new, …). */
  requestTimeoutMs: number;
  /** A prompt fails when its session shows no activity for this long; every update resets it. */
  promptInactivityTimeoutMs: number;
  /** Optional hard cap on a whole prompt; off when undefined. */
  promptTotalTimeoutMs?: number;
  heartbeatIntervalMs: number;
  reconnect: ReconnectOptions;
  logger: Logger;
  /** Wall clock, injectable for tests (sleep detection compares it with timer progress). */
  now: () => number;
}

/** Answers agent→client requests (fs, terminal, permission). Throw an RpcError to answer with an error. */
export type AgentRequestHandler = (method: string, params: unknown, signal: AbortSignal) => Promise<unknown>;

export interface SessionHandle {
  sessionId: string;
  cwd: string;
}

/** Why a session could not be resumed, and what the client did about it. */
export interface SessionLost {
  sessionId: string;
  reason: string;
  /** The session was reloaded with `session/load` (transcript replayed) or replaced by a fresh one. */
  recovery: 'reloaded' | 'new-session' | 'none';
  replacementSessionId?: string;
}

export interface Disposable {
  dispose(): void;
}

export interface PunieClientApi {
  readonly state: ConnectionState;
  onStateChange(listener: (state: ConnectionState) => void): Disposable;
  /** Every `session/update`, exactly once and in order per session (duplicates dropped by seq). */
  onUpdate(listener: (notification: SessionNotification) => void): Disposable;
  onSessionLost(listener: (lost: SessionLost) => void): Disposable;
  setAgentRequestHandler(handler: AgentRequestHandler): void;
  /** Connects (and keeps reconnecting while wanted); resolves once connected the first time. */
  start(): Promise<void>;
  newSession(cwd: string, options?: { model?: string }): Promise<SessionHandle>;
  /** Survives drops: a prompt in flight completes with its real stopReason after a resume. */
  prompt(sessionId: string, prompt: ContentBlock[], options?: { signal?: AbortSignal }): Promise<StopReason>;
  cancel(sessionId: string): Promise<void>;
  /** Skips the backoff wait and reconnects now. */
  retryNow(): void;
  /** Closes with 1000 and stops reconnecting; pending calls reject at once. */
  dispose(): Promise<void>;
}
