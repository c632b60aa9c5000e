/**
 * Sessions, the users that own them and the connections they are attached to. A session belongs to a user;
 * any connection of that user may load or resume it (other users are told it does not exist), and the
 * newest such connection wins: the one it displaced is told and refused from then on. A detached session
 * waits `gracePeriodMs` for its client, then leaves memory (it stays in the durable store, when there is
 * one, and comes back on the next load or resume). Outbound updates are numbered per session and kept in
 * a replay buffer, so a resume delivers exactly what the client missed; agent→client requests and the
 * outcome of a prompt whose connection dropped wait for the resuming connection too.
 */
import { randomBytes } from 'node:crypto';
import { randomToken } from '../util/randomToken';
import type { ChatModel } from '../agent/models/types';
import { Methods, type SessionUpdate } from '../protocol/acp';
import { ErrorCodes, RpcError, type RequestId } from '../protocol/jsonrpc';
import { PROMPT_FINISHED, SESSION_TAKEN, STORAGE_FAILED } from '../protocol/punie';
import type { DurableStore, StoredRecord } from '../store/types';
import { STORE_VERSION } from '../store/types';
import { runInBackground } from '../util/background';
import type { ClientLink } from './clientLink';
import { restoredState } from './restore';
import { tokenMatches } from './security';
import { ServerSession, estimateBytes, type ModelFactory, type SessionStoreOptions } from './serverSession';

interface ClientRecord {
  link: ClientLink | undefined;
  user: string;
  disconnectedAt: number | undefined;
}

export class SessionStore {
  private readonly clients = new Map<string, ClientRecord>();
  private readonly sessions = new Map<string, ServerSession>();
  private cleanupTimer: NodeJS.Timeout | undefined;
  private nextClient = 0;
  /** Where sessions are kept across restarts; none: they live in memory only. */
  durable: DurableStore | undefined;
  /** Fleet mode: brings a session whose turn runs on another server here as a relaying copy (see fleet.ts). */
  fleet: { runningElsewhere(sessionId: string, models: ModelFactory, seenSeq?: number): Promise<ServerSession | undefined> } | undefined;
  /** Set while the server shuts down: running turns are not recorded as ended, so the next start reports them interrupted. */
  shuttingDown = false;

  constructor(private readonly options: SessionStoreOptions) {}

  get sessionCount(): number {
    return this.sessions.size;
  }

  newClientId(): string {
    return `client-${this.nextClient++}`;
  }

  connect(link: ClientLink): void {
    this.clients.set(link.clientId, { link, user: link.user, disconnectedAt: undefined });
    this.startCleanup();
  }

  /** The client's sessions now wait for a resume; their turns keep running and buffer their output. */
  disconnect(clientId: string): void {
    const record = this.clients.get(clientId);
    if (!record) return;
    record.link = undefined;
    record.disconnectedAt = this.options.now();
    this.forgetIfEmpty(clientId);
  }

  /** The session if it is in memory. */
  get(sessionId: string): ServerSession | undefined {
    return this.sessions.get(sessionId);
  }

  linkOf(clientId: string): ClientLink | undefined {
    return this.clients.get(clientId)?.link;
  }

  /** Whether the session is in memory with a connection or a running turn (never evicted from the store). */
  inUse(sessionId: string): boolean {
    const session = this.sessions.get(sessionId);
    return session !== undefined && (session.agent.isRunning || (session.attachedTo !== undefined && this.linkOf(session.attachedTo) !== undefined));
  }

  create(link: ClientLink, cwd: string, model: ChatModel): ServerSession {
    if (this.durable && !this.durable.available) {
      throw new RpcError(ErrorCodes.InternalError, 'The server cannot save new conversations right now (its session store is unavailable); try again in a moment.', { kind: 'store_unavailable' });
    }
    const session = new ServerSession(`punie-session-${randomBytes(8).toString('hex')}`, cwd, link.user, link.clientId, randomToken(), model, this, this.options);
    this.sessions.set(session.id, session);
    this.durable?.create({ k: 'meta', v: STORE_VERSION, id: session.id, owner: link.user, cwd, model: model.id, createdAt: session.updatedAt });
    return session;
  }

  /** The session, if it is attached to `clientId`; otherwise a clear error naming the session. */
  owned(sessionId: string, clientId: string): ServerSession {
    const session = this.sessions.get(sessionId);
    const user = this.clients.get(clientId)?.user;
    if (!session || (user !== undefined && session.owner !== user)) throw notFound(sessionId);
    if (session.attachedTo === clientId) return session;
    if (session.displaced.has(clientId)) throw taken(sessionId);
    throw new RpcError(ErrorCodes.InvalidRequest, `Session ${sessionId} is not open on this connection; load or resume it first`, { sessionId });
  }

  /** The user a session (in memory or stored) belongs to. */
  ownerOf(sessionId: string): string | undefined {
    return this.sessions.get(sessionId)?.owner ?? this.durable?.summary(sessionId)?.owner;
  }

  /** Sessions attached to a connection. */
  list(clientId: string): ServerSession[] {
    return [...this.sessions.values()].filter((s) => s.attachedTo === clientId);
  }

  /** The user's sessions in memory (running or waiting for their client). */
  inMemory(user: string): ServerSession[] {
    return [...this.sessions.values()].filter((s) => s.owner === user);
  }

  /**
   * The session for `user`, brought back from the durable store if it is not in memory; undefined when the
   * user has no such session. `models` makes the model of a restored session.
   */
  async find(sessionId: string, user: string, models: ModelFactory, seenSeq?: number): Promise<ServerSession | undefined> {
    const live = this.sessions.get(sessionId);
    if (live) return live.owner === user ? live : undefined;
    await this.durable?.refresh?.(sessionId);
    if (this.durable?.summary(sessionId)?.owner !== user) return undefined;
    const relaying = await this.fleet?.runningElsewhere(sessionId, models, seenSeq);
    if (relaying) return relaying;
    let records: StoredRecord[] | undefined;
    try {
      records = await this.durable.load(sessionId);
    } catch (err) {
      // The turn's first records reached the store between the two looks (its client was ahead of the store).
      const again = isRunningElsewhere(err) ? await this.fleet?.runningElsewhere(sessionId, models) : undefined;
      if (again) return again;
      throw err;
    }
    // Another request may have brought it back meanwhile.
    const raced = this.sessions.get(sessionId);
    if (raced) return raced;
    return records ? this.restore(records, models) : undefined;
  }

  /**
   * Attaches a session to `clientId`, after checking, in order: the session exists for this user, and the
   * token (when one is given, Punie's clients do) matches. A newer connection wins: the one that held the
   * session is told and refused from then on. A token is rotated when used; the one just used stays valid
   * for one more resume, so a connection cut before the answer arrived loses nothing.
   */
  resume(sessionId: string, token: string | undefined, clientId: string): ServerSession {
    const session = this.sessions.get(sessionId);
    const user = this.clients.get(clientId)?.user;
    if (!session || session.owner !== user) throw notFound(sessionId);
    if (token !== undefined && !session.tokensKnown) session.previousToken = token;
    session.tokensKnown = true;
    if (token !== undefined) {
      const used = [session.token, session.previousToken].find((t) => t !== undefined && tokenMatches(token, t));
      if (!used) {
        if (session.displaced.has(clientId) || session.retiredTokens.some((t) => tokenMatches(token, t))) throw taken(sessionId);
        throw new RpcError(ErrorCodes.InvalidParams, `Invalid resume token for session ${sessionId}`, { sessionId });
      }
      session.previousToken = used;
      session.token = randomToken();
    }
    const previous = session.attachedTo;
    if (previous !== undefined && previous !== clientId) {
      session.displaced.add(previous);
      const old = this.linkOf(previous);
      if (old) {
        this.options.logger.info(`session ${sessionId} moved from ${previous} to ${clientId} (a newer connection of ${session.owner})`);
        old.notify(SESSION_TAKEN, { sessionId });
        // The old client's token must not take the session back when it reconnects.
        if (token === undefined) {
          session.retiredTokens.push(...[session.token, session.previousToken].filter((t) => t !== undefined));
          session.retiredTokens.splice(0, session.retiredTokens.length - 8);
          session.previousToken = undefined;
        }
        session.token = randomToken();
      }
    }
    session.displaced.delete(clientId);
    session.attachedTo = clientId;
    if (previous !== undefined) this.forgetIfEmpty(previous);
    session.remote?.attached();
    return session;
  }

  /** Deletes a session from memory and from the durable store (an unknown id is not an error). */
  async delete(sessionId: string, reason = 'was closed'): Promise<void> {
    this.unload(sessionId, reason);
    await this.durable?.delete(sessionId);
  }

  /** Drops a session from memory only (it stays in the durable store, if any). */
  unload(sessionId: string, reason: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    runInBackground(`closing session ${sessionId}`, session.close(reason), this.options.logger);
    this.sessions.delete(sessionId);
    const release = this.durable?.release?.(sessionId);
    if (release) runInBackground(`releasing session ${sessionId}`, release, this.options.logger);
    if (session.attachedTo !== undefined) this.forgetIfEmpty(session.attachedTo);
  }

  /** Expires (or, with a durable store, unloads) the sessions of clients away for longer than the grace period; returns how many. */
  sweep(): number {
    const now = this.options.now();
    let expired = 0;
    for (const session of [...this.sessions.values()]) {
      const record = session.attachedTo === undefined ? undefined : this.clients.get(session.attachedTo);
      if (record?.link) continue;
      const since = record?.disconnectedAt ?? session.updatedAt;
      if (now - since < this.options.gracePeriodMs) continue;
      // A stored session's running turn finishes (and is written down) before it leaves memory.
      if (this.durable && session.agent.isRunning) continue;
      try {
        this.unload(session.id, `expired after the ${this.options.gracePeriodMs} ms grace period`);
        expired++;
      } catch (err) {
        this.options.logger.error(`cleanup of session ${session.id} failed: ${(err as Error).message}`);
        this.sessions.delete(session.id);
      }
    }
    for (const [clientId, record] of [...this.clients]) if (!record.link) this.forgetIfEmpty(clientId);
    if (expired > 0) this.options.logger.info(`${this.durable ? 'unloaded' : 'expired'} ${expired} session(s) after the ${this.options.gracePeriodMs} ms grace period`);
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

  /** The durable store could not write a session: its client is told (the session goes on in memory). */
  storageFailed(sessionId: string, error: Error): void {
    const session = this.sessions.get(sessionId);
    const link = session?.attachedTo === undefined ? undefined : this.linkOf(session.attachedTo);
    link?.notify(STORAGE_FAILED, { sessionId, message: `The server cannot save this conversation (${error.message}); it goes on, but a server restart would lose what is not saved.` });
  }

  /** The store kept as much of a session as it may while it cannot write: its running turn is failed. */
  storageOverflowed(sessionId: string, error: Error): void {
    this.sessions.get(sessionId)?.agent.fail(
      new RpcError(ErrorCodes.InternalError, `The server stopped this answer: it could not save it for too long (${error.message}). Ask again once the server is healthy.`, { kind: 'store_unavailable', sessionId }),
    );
  }

  /** Another server of the fleet took the session (a newer connection of its user went there): it leaves this one. */
  claimed(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const link = session.attachedTo === undefined ? undefined : this.linkOf(session.attachedTo);
    link?.notify(SESSION_TAKEN, { sessionId });
    this.unload(sessionId, 'was opened on another server');
  }

  /** Cancels every turn and drops every session (server shutdown; a durable store keeps them); resolves once their MCP servers stopped. */
  async dispose(): Promise<void> {
    this.shuttingDown = true;
    if (this.cleanupTimer) clearInterval(this.cleanupTimer);
    this.cleanupTimer = undefined;
    const closing = [...this.sessions.values()].map((session) => session.close('ended: the server is shutting down'));
    this.sessions.clear();
    this.clients.clear();
    await Promise.all(closing);
  }

  /**
   * Rebuilds a stored session; a turn that was running when its server stopped is marked interrupted, unless
   * `running` (it still runs on another server of the fleet, and this copy relays it).
   */
  restore(records: StoredRecord[], models: ModelFactory, running = false): ServerSession {
    const state = restoredState(records);
    const { meta } = state;
    const session = new ServerSession(meta.id, meta.cwd, meta.owner, undefined, randomToken(), models(state.model), this, this.options);
    session.title = state.title;
    session.tokensKnown = false;
    session.updatedAt = this.durable?.summary(meta.id)?.updatedAt ?? meta.createdAt;
    session.agent.restore(state);
    session.seq = state.seq;
    session.replay.lostThrough(state.lostThrough);
    for (const event of state.events) {
      const update = event.method === Methods.sessionUpdate ? (event.params.update as SessionUpdate) : undefined;
      session.replay.push({ seq: event.seq, method: event.method, params: event.params, bytes: update ? estimateBytes(update) : 200 });
    }
    // Updates after the last one written may have reached the client: a resume from beyond is a gap.
    for (const [rid, status] of state.prompts) {
      if (status.status === 'running') session.prompts.started(rid);
      else session.prompts.ended(rid, status);
    }
    this.sessions.set(session.id, session);
    if (state.interrupted && !running) this.interrupted(session, state.interrupted);
    this.options.logger.info(`session ${session.id} of ${meta.owner} restored from the store (${records.length} records${running ? ', its turn running on another server' : ''})`);
    return session;
  }

  private interrupted(session: ServerSession, turn: { rid: RequestId | undefined; partial: string }): void {
    const error = new RpcError(
      ErrorCodes.TurnInterrupted,
      'Interrupted: the server restarted before this answer finished. The partial answer is kept; ask again to retry.',
      { kind: 'interrupted', sessionId: session.id },
    ).toJSON();
    session.agent.remember({ role: 'assistant', content: `${turn.partial}\n\n[interrupted: the server restarted]`.trimStart() });
    session.record({ k: 'turn_end', ts: this.options.now(), rid: turn.rid, error });
    if (turn.rid !== undefined) session.promptEnded(turn.rid, undefined, { status: 'failed', error });
    else session.send(PROMPT_FINISHED, { sessionId: session.id, error }, 200);
  }

  private forgetIfEmpty(clientId: string): void {
    const record = this.clients.get(clientId);
    if (record && !record.link && !this.list(clientId).length) this.clients.delete(clientId);
  }
}

function isRunningElsewhere(err: unknown): boolean {
  return err instanceof RpcError && (err.data as { kind?: unknown } | undefined)?.kind === 'running_elsewhere';
}

function notFound(sessionId: string): RpcError {
  return new RpcError(ErrorCodes.ResourceNotFound, `Session ${sessionId} not found or expired`, { sessionId });
}

function taken(sessionId: string): RpcError {
  return new RpcError(ErrorCodes.SessionTaken, `Session ${sessionId} was opened by a newer connection (another window); open it again here to take it back`, { sessionId, kind: 'taken' });
}
