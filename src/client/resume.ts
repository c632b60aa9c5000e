/**
 * Re-attaching one session after a reconnect. `session/resume` carries the resume token, the last seq the
 * client delivered and the ids of prompts it still waits for; the server replays what was missed and says
 * what became of each prompt. When it cannot replay (gap) the session is reloaded with `session/load`;
 * when it does not know the session (expired, server restarted) a fresh one replaces it, and either way
 * the caller hears it through `onSessionLost`. A server without seq/replay (Punie's Python server) is
 * resumed by its rules, and prompts that were in flight fail with PromptLostError instead of hanging.
 */
import { Methods, type InitializeResponse, type SessionNotification, type StopReason } from '../protocol/acp';
import { RpcError, describeRequest } from '../protocol/jsonrpc';
import { META_PROMPTS, META_REPLAY, META_RESUME_TOKEN, META_SEQ, type PromptStatus } from '../protocol/punie';
import { ConnectionClosedError, RequestTimeoutError } from '../transport/errors';
import type { AgentRequests } from './agentRequestTracker';
import { PromptLostError, SessionExpiredError } from './errors';
import type { LiveConnection } from './live';
import type { PromptCall, PromptCalls } from './prompts';
import type { ClientSession, SessionMessage, SessionTable } from './sessionTable';
import type { ClientManagerOptions, SessionLost } from './types';

export interface ResumeContext {
  live: LiveConnection;
  agent: InitializeResponse;
  options: ClientManagerOptions;
  sessions: SessionTable;
  prompts: PromptCalls;
  agentRequests: AgentRequests;
  deliver(notification: SessionNotification): void;
  lost(event: SessionLost): void;
}

type Meta = Record<string, unknown>;

/** Resolves once the session is resumed, reloaded or replaced; rejects only when the connection failed. */
export async function resumeSession(ctx: ResumeContext, session: ClientSession): Promise<void> {
  const waiting = ctx.prompts.forSession(session.id).filter((c) => c.requestId !== undefined);
  ctx.sessions.hold(session);
  let meta: Meta;
  try {
    const result = await resumeWithRetry(ctx, session, waiting);
    meta = (result?._meta ?? {}) as Meta;
  } catch (err) {
    ctx.sessions.take(session);
    if (isConnectionFailure(err)) throw err;
    return replace(ctx, session, describe(err));
  }
  if (typeof meta[META_RESUME_TOKEN] === 'string') session.token = meta[META_RESUME_TOKEN];
  if (typeof meta[META_SEQ] !== 'number') return resumedWithoutReplay(ctx, session, waiting);
  const replay = meta[META_REPLAY] as { status?: string; reason?: string } | undefined;
  if (replay?.status === 'gap') {
    const recovered = await reload(ctx, session, `missed updates could not be replayed: ${replay.reason ?? 'no reason given'}`);
    if (!recovered) return;
  } else {
    for (const message of ctx.sessions.take(session)) ctx.sessions.admit(session, message);
  }
  applyStatuses(waiting, (meta[META_PROMPTS] ?? {}) as Record<string, PromptStatus>);
}

async function resumeWithRetry(ctx: ResumeContext, session: ClientSession, waiting: PromptCall[]): Promise<{ _meta?: unknown } | null> {
  const params = {
    sessionId: session.id,
    cwd: session.cwd,
    mcpServers: session.mcpServers,
    resumeToken: session.token,
    _meta: { [META_SEQ]: session.lastSeq, [META_PROMPTS]: waiting.map((c) => c.requestId) },
  };
  const deadline = ctx.options.now() + ctx.options.resumeRetryWindowMs;
  for (let delay = 100; ; delay = Math.min(2 * delay, 2000)) {
    try {
      return await ctx.live.endpoint.request(Methods.sessionResume, params, { timeoutMs: ctx.options.handshakeTimeoutMs });
    } catch (err) {
      if (!isStillAttached(err) || ctx.options.now() + delay > deadline) throw err;
      // The server has not noticed yet that the old connection is gone (a half-open socket): ask again.
      ctx.options.logger.debug(`session ${session.id} is still attached to the old connection on the server; retrying in ${delay} ms`);
      await Promise.race([new Promise((resolve) => setTimeout(resolve, delay)), ctx.live.closed]);
    }
  }
}

/** Punie's Python server: the session is back, but what it sent meanwhile is gone. */
function resumedWithoutReplay(ctx: ResumeContext, session: ClientSession, waiting: PromptCall[]): void {
  for (const message of ctx.sessions.take(session)) ctx.sessions.admit(session, message);
  const lost = waiting.filter((c) => !c.settled);
  ctx.options.logger.warn(
    `session ${session.id} resumed, but this server cannot replay missed updates: output sent while disconnected may be lost` +
      (lost.length ? ` (${lost.length} prompt(s) in flight fail)` : ''),
  );
  for (const call of lost) call.reject(new PromptLostError(Methods.sessionPrompt, call.requestId!, session.id));
}

/** `session/load` replays the whole transcript; returns false when the session had to be replaced instead. */
async function reload(ctx: ResumeContext, session: ClientSession, reason: string): Promise<boolean> {
  if (!ctx.agent.agentCapabilities.loadSession) {
    await replace(ctx, session, reason);
    return false;
  }
  let meta: Meta;
  try {
    const result = await ctx.live.endpoint.request<{ _meta?: Meta } | null>(
      Methods.sessionLoad,
      { sessionId: session.id, cwd: session.cwd, mcpServers: session.mcpServers, _meta: { [META_RESUME_TOKEN]: session.token } },
      { timeoutMs: ctx.options.handshakeTimeoutMs },
    );
    meta = result?._meta ?? {};
  } catch (err) {
    ctx.sessions.take(session);
    if (isConnectionFailure(err)) throw err;
    await replace(ctx, session, `${reason}; session/load failed: ${describe(err)}`);
    return false;
  }
  if (typeof meta[META_RESUME_TOKEN] === 'string') session.token = meta[META_RESUME_TOKEN];
  const held = ctx.sessions.take(session);
  ctx.lost({ sessionId: session.id, reason, recovery: 'reloaded' });
  for (const message of held) if (isTranscript(message)) ctx.deliver(message.params as unknown as SessionNotification);
  if (typeof meta[META_SEQ] === 'number') session.lastSeq = Math.max(session.lastSeq, meta[META_SEQ]);
  for (const message of held) if (!isTranscript(message)) ctx.sessions.admit(session, message);
  return true;
}

/** The server cannot resume the session: start a fresh one in its place, and fail what waited on the old one. */
async function replace(ctx: ResumeContext, session: ClientSession, reason: string): Promise<void> {
  let response: { sessionId: string; _meta?: Meta } | undefined;
  let failure: string | undefined;
  try {
    response = await ctx.live.endpoint.request<{ sessionId: string; _meta?: Meta }>(
      Methods.sessionNew,
      { cwd: session.cwd, mcpServers: session.mcpServers, ...(session.model ? { _meta: { model: session.model } } : {}) },
      { timeoutMs: ctx.options.handshakeTimeoutMs },
    );
  } catch (err) {
    if (isConnectionFailure(err)) throw err;
    failure = describe(err);
  }
  // Before adding the new one: a restarted Punie server counts session ids from 0 again and may reuse this id.
  ctx.sessions.delete(session.id);
  const token = response?._meta?.[META_RESUME_TOKEN];
  const replacement = response
    ? ctx.sessions.add({ id: response.sessionId, cwd: session.cwd, model: session.model, mcpServers: session.mcpServers, token: typeof token === 'string' ? token : undefined })
    : undefined;
  const why = `session expired: ${reason}`;
  ctx.options.logger.warn(`session ${session.id}: ${why}` + (replacement ? `; continuing in new session ${replacement.id}` : ''));
  ctx.lost({
    sessionId: session.id,
    reason: failure ? `${why}; a new session could not be started: ${failure}` : why,
    recovery: replacement ? 'new-session' : 'none',
    replacementSessionId: replacement?.id,
  });
  for (const call of ctx.prompts.forSession(session.id)) call.reject(new SessionExpiredError(session.id, reason, replacement?.id));
  ctx.agentRequests.abortSession(session.id, why);
}

function applyStatuses(waiting: PromptCall[], statuses: Record<string, PromptStatus>): void {
  for (const call of waiting) {
    if (call.settled || call.requestId === undefined) continue;
    const status = statuses[call.requestId];
    if (status?.status === 'finished') call.resolve(status.stopReason as StopReason);
    else if (status?.status === 'failed') {
      call.reject(new RpcError(status.error.code, `${describeRequest(Methods.sessionPrompt, call.requestId)} failed: ${status.error.message}`, status.error.data));
    } else if (status?.status === 'running') call.touch();
    // The server never received it (the connection dropped before it arrived): it is sent again.
    else call.requestId = undefined;
  }
}

function isTranscript(message: SessionMessage): boolean {
  return message.method === Methods.sessionUpdate && message.params._meta?.replay === true;
}

/** The connection itself failed: the whole handshake is retried on a new one. */
function isConnectionFailure(err: unknown): boolean {
  return err instanceof ConnectionClosedError || err instanceof RequestTimeoutError;
}

/** Our server: `data.retry`; Punie's Python server: "… is not disconnected (already connected?)" in `data`. */
function isStillAttached(err: unknown): boolean {
  if (!(err instanceof RpcError)) return false;
  const data = err.data as { retry?: unknown } | string | undefined;
  if (typeof data === 'object' && data?.retry === true) return true;
  return /is not disconnected|still attached/i.test(`${err.message} ${typeof data === 'string' ? data : ''}`);
}

/** Punie's Python server puts the human-readable cause only in `error.data`. */
function describe(err: unknown): string {
  const message = (err as Error).message ?? String(err);
  const data = err instanceof RpcError ? err.data : undefined;
  return typeof data === 'string' && !message.includes(data) ? `${message}: ${data}` : message;
}
