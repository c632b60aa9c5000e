/**
 * Sessions, their owners and their resume tokens. A session belongs to the client that created it; every
 * session method checks that. When a client disconnects its sessions wait `gracePeriodMs` for a resume
 * with the session's token, then expire. Outbound updates are numbered per session and kept in a replay
 * buffer, so a resume can deliver exactly what the client missed; agent→client requests and the outcome
 * of a prompt whose connection dropped wait for the resuming connection too.
 */
import { randomBytes } from 'node:crypto';
import { AgentSession, type AgentSessionOptions } from '../agent/session';
import type { AgentHost } from '../agent/host';
import type { ChatModel } from '../agent/models/types';
import { Methods, type ClientCapabilities, type SessionUpdate } from '../protocol/acp';
import { ErrorCodes, RpcError, type RequestId } from '../protocol/jsonrpc';
import { META_SEQ, PROMPT_FINISHED, type PromptStatus } from '../protocol/punie';
import type { Logger } from '../util/logger';
import type { ClientLink } from './clientLink';
import { OutboundRequests } from './outboundRequests';
import { PromptLog } from './promptLog';
import { ReplayBuffer, type ReplayResult } from './replay';
import { tokenMatches } from './security';

/** Session updates Punie's Python clients do not know: they are not sent to them. */
const NEWER_UPDATES = new Set<SessionUpdate['sessionUpdate']>(['available_commands_update', 'config_option_update', 'usage_update']);

interface ClientRecord {
  link: ClientLink | undefined;
  disconnectedAt: number | undefined;
}

export interface SessionStoreOptions {
  gracePeriodMs: number;
  cleanupIntervalMs: number;
  replayMaxUpdates: number;
  replayMaxBytes: number;
  now: () => number;
  logger: Logger;
  /** History, transcript and turn limits of each session's agent (defaults when absent). */
  agent?: AgentSessionOptions;
}

export class ServerSession implements AgentHost {
  readonly agent: AgentSession;
  readonly replay: ReplayBuffer;
  readonly outbound = new OutboundRequests();
  readonly prompts = new PromptLog();
  seq = 0;
  /** The token the client last resumed with stays valid until it resumes with the newer one: the answer carrying that may have been lost. */
  previousToken: string | undefined;
  updatedAt: number;
  title: string | undefined;
  /** While a reload replays the transcript, live events wait here (numbered, and kept for replay as always) to follow it. */
  private held: { method: string; params: unknown }[] | undefined;

  constructor(
    readonly id: string,
    readonly cwd: string,
    public ownerId: string,
    public token: string,
    model: ChatModel,
    private readonly store: SessionStore,
    options: SessionStoreOptions,
  ) {
    this.replay = new ReplayBuffer(options.replayMaxUpdates, options.replayMaxBytes);
    this.updatedAt = options.now();
    this.agent = new AgentSession(id, cwd, model, this, options.agent);
  }

  emit(update: SessionUpdate): void {
    if (NEWER_UPDATES.has(update.sessionUpdate) && this.store.linkOf(this.ownerId)?.legacyClient) return;
    this.send(Methods.sessionUpdate, { sessionId: this.id, update }, estimateBytes(update));
  }

  /** Numbers an outbound session event, keeps it for replay and sends it if the owner is connected. */
  send(method: string, params: Record<string, unknown>, bytes: number): void {
    const seq = ++this.seq;
    const numbered = { ...params, _meta: { ...(params._meta as object | undefined), [META_SEQ]: seq } };
    this.replay.push({ seq, method, params: numbered, bytes });
    if (this.held) this.held.push({ method, params: numbered });
    else this.store.linkOf(this.ownerId)?.notify(method, numbered);
  }

  /**
   * Sends what `replay` yields (a transcript, at the client's pace) with the live events of a running turn
   * held back meanwhile, then those events: the client sees the transcript first and every event once.
   */
  async sendBefore(replay: () => Promise<void>): Promise<void> {
    this.held = [];
    try {
      await replay();
    } finally {
      const held = this.held;
      this.held = undefined;
      const link = this.store.linkOf(this.ownerId);
      for (const event of held) link?.notify(event.method, event.params);
    }
  }

  /** Waits through a dropped connection: the request is sent again to the connection that resumes. */
  request<T>(method: string, params: unknown, signal: AbortSignal): Promise<T> {
    return this.outbound.request<T>(method, params, signal, this.store.linkOf(this.ownerId));
  }

  /**
   * Records how a prompt ended. When the connection that sent it is no longer the session's (it dropped,
   * or another one resumed the session), its answer cannot arrive, so the outcome also goes out, numbered
   * and kept for replay, as a {@link PROMPT_FINISHED} notification.
   */
  promptEnded(requestId: RequestId, requester: ClientLink, status: PromptStatus & { status: 'finished' | 'failed' }): void {
    this.prompts.ended(requestId, status);
    if (this.store.linkOf(this.ownerId) === requester) return;
    const outcome = status.status === 'finished' ? { stopReason: status.stopReason } : { error: status.error };
    this.send(PROMPT_FINISHED, { sessionId: this.id, requestId, ...outcome }, 200);
  }

  /** Ends the session: the running turn is cancelled and waiting agent→client requests fail with `reason`. */
  close(reason: string): void {
    this.agent.cancel();
    this.outbound.failAll(`session ${this.id} ${reason}`);
  }

  clientCapabilities(): ClientCapabilities {
    return this.store.linkOf(this.ownerId)?.capabilities ?? {};
  }

  replaySince(lastSeq: number): ReplayResult {
    return this.replay.since(lastSeq);
  }
}

export class SessionStore {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly sessions = new Map<string, ServerSession>();
  private cleanupTimer: NodeJS.Timeout | undefined;
  private nextClient = 0;

  constructor(private readonly options: SessionStoreOptions) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  newClientId(): string {
    return `client-${this.nextClient++}`;
  }

  connect(link: ClientLink): void {
    this.clients.set(link.clientId, { link, disconnectedAt: undefined });
    this.startCleanup();
  }

  /** The client's sessions now wait for a resume; their turns keep running and buffer their output. */
  disconnect(clientId: string): void {
    const record = this.clients.get(clientId);
    if (!record) return;
    record.link = undefined;
    record.disconnectedAt = this.options.now();
    if (![...this.sessions.values()].some((s) => s.ownerId === clientId)) this.clients.delete(clientId);
  }

  linkOf(clientId: string): ClientLink | undefined {
    return this.clients.get(clientId)?.link;
  }

  create(ownerId: string, cwd: string, model: ChatModel): ServerSession {
    const session = new ServerSession(`punie-session-${randomBytes(8).toString('hex')}`, cwd, ownerId, newToken(), model, this, this.options);
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session, if `clientId` owns it; otherwise a clear error naming the session. */
  owned(sessionId: string, clientId: string): ServerSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw notFound(sessionId);
    if (session.ownerId !== clientId) {
      throw new RpcError(ErrorCodes.ResourceNotFound, `Access denied: session ${sessionId} belongs to another client`, { sessionId });
    }
    return session;
  }

  list(clientId: string): ServerSession[] {
    return [...this.sessions.values()].filter((s) => s.ownerId === clientId);
  }

  /**
   * Moves a session to `clientId` after checking, in order: the session exists, the token matches, and
   * its owner is disconnected (or is the caller). The token is rotated; the new one is returned. The token
   * just used stays valid for one more resume, so a connection cut before the answer arrived loses nothing.
   */
  resume(sessionId: string, token: string | undefined, clientId: string): ServerSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw notFound(sessionId);
    const used = [session.token, session.previousToken].find((t) => t !== undefined && tokenMatches(token, t));
    if (!used) throw new RpcError(ErrorCodes.InvalidParams, `Invalid resume token for session ${sessionId}`, { sessionId });
    const previous = session.ownerId;
    if (previous !== clientId && this.linkOf(previous)) {
      throw new RpcError(
        ErrorCodes.InvalidRequest,
        `Session ${sessionId} is still attached to ${previous}; retry once that connection is gone`,
        { sessionId, retry: true },
      );
    }
    session.ownerId = clientId;
    session.previousToken = used;
    session.token = newToken();
    this.forgetIfEmpty(previous);
    return session;
  }

  delete(sessionId: string, reason = 'was closed'): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    session.close(reason);
    this.sessions.delete(sessionId);
    this.forgetIfEmpty(session.ownerId);
  }

  /** Expires the sessions of clients disconnected for longer than the grace period; returns how many. */
  sweep(): number {
    const now = this.options.now();
    let expired = 0;
    for (const [clientId, record] of [...this.clients]) {
      if (record.link || record.disconnectedAt === undefined || now - record.disconnectedAt < this.options.gracePeriodMs) continue;
      for (const session of this.list(clientId)) {
        try {
          this.delete(session.id, `expired after the ${this.options.gracePeriodMs} ms grace period`);
          expired++;
        } catch (err) {
          this.options.logger.error(`cleanup of session ${session.id} failed: ${(err as Error).message}`);
          this.sessions.delete(session.id);
        }
      }
      this.clients.delete(clientId);
    }
    if (expired > 0) this.options.logger.info(`expired ${expired} session(s) after the ${this.options.gracePeriodMs} ms grace period`);
    return expired;
  }

  startCleanup(): void {
    if (this.cleanupTimer) return;
    this.cleanupTimer = setInterval(() => {
      try {
        this.sweep();
      } catch (err) {
        this.options.logger.error(`session cleanup failed: ${(err as Error).message}`);
      }
    }, this.options.cleanupIntervalMs);
    this.cleanupTimer.unref();
  }

  /** Cancels every turn and drops every session (server shutdown). */
  dispose(): void {
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    for (const session of this.sessions.values()) session.close('ended: the server is shutting down');
    this.sessions.clear();
    this.clients.clear();
  }

  private forgetIfEmpty(clientId: string): void {
    const record = this.clients.get(clientId);
    if (record && !record.link && !this.list(clientId).length) this.clients.delete(clientId);
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function notFound(sessionId: string): RpcError {
  return new RpcError(ErrorCodes.ResourceNotFound, `Session ${sessionId} not found or expired`, { sessionId });
}

/** Cheap size estimate for replay accounting, avoiding a second JSON.stringify on the hot path. */
function estimateBytes(update: SessionUpdate): number {
  if ((update.sessionUpdate === 'agent_message_chunk' || update.sessionUpdate === 'agent_thought_chunk') && update.content.type === 'text') {
    return update.content.text.length * 2 + 160;
  }
  return JSON.stringify(update).length + 120;
}
