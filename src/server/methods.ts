/**
 * The agent methods a client may call, for both dialects. Params are normalised for `/ws` (legacy names,
 * snake_case keys), validated with the protocol's zod schemas. Sessions belong to the connection's user:
 * load and resume attach one (from the durable store if it is not in memory), list and delete see only the
 * user's, and the other session methods need it attached to the calling connection.
 */
import type { z } from 'zod';
import type { ModelRegistry } from '../agent/models/registry';
import { modeState } from '../agent/sessionConfig';
import {
  CancelNotification,
  InitializeRequest,
  ListSessionsRequest,
  LoadSessionRequest,
  Methods,
  NewSessionRequest,
  PROTOCOL_VERSION,
  PromptRequest,
  ResumeSessionRequest,
  SessionIdOnly,
  SetConfigOptionRequest,
  SetModeRequest,
  type InitializeResponse,
  type LoadSessionResponse,
  type ListSessionsResponse,
  type NewSessionResponse,
  type PromptResponse,
  type SetConfigOptionResponse,
} from '../protocol/acp';
import { ErrorCodes, RpcError, type RequestId } from '../protocol/jsonrpc';
import {
  META_PROMPTS,
  META_REPLAY,
  META_RESUME_TOKEN,
  META_SEQ,
  READ_SESSION,
  SET_SESSION_TITLE,
  SetSessionTitleRequest,
  camelizeParams,
  canonicalMethod,
  type PromptStatus,
} from '../protocol/punie';
import { runningElsewhere } from '../store/relay';
import { PUNIE_VERSION } from '../util/version';
import type { ClientConnection } from './clientConnection';
import { ensureSessionCapacity, invalidParams } from './limits';
import { ensureModelAllowed } from './modelPolicy';
import type { ServerOptions } from './options';
import type { ServerSession } from './serverSession';
import type { SessionStore } from './sessionStore';
import { announceSession, createModel, runSlashCommand, sessionConfig, setConfigOption } from './sessionSettings';


export interface MethodContext {
  connection: ClientConnection;
  store: SessionStore;
  models: ModelRegistry;
  options: ServerOptions;
}

/** `requestId` is undefined for a notification. */
type Handler = (ctx: MethodContext, params: unknown, requestId: RequestId | undefined) => Promise<unknown> | unknown;

const handlers: Record<string, Handler> = {
  [Methods.initialize]: initialize,
  [Methods.authenticate]: () => ({}),
  [Methods.sessionNew]: newSession,
  [Methods.sessionLoad]: loadSession,
  [Methods.sessionResume]: resumeSession,
  [Methods.sessionList]: listSessions,
  [Methods.sessionPrompt]: prompt,
  [Methods.sessionCancel]: cancel,
  [Methods.sessionSetMode]: setMode,
  [Methods.sessionSetConfigOption]: setConfig,
  [Methods.sessionClose]: closeSession,
  [Methods.sessionDelete]: deleteSession,
  [SET_SESSION_TITLE]: setTitle,
  [READ_SESSION]: readSession,
};

/** Runs one request or notification; throws RpcError for the caller to answer. */
export async function dispatch(ctx: MethodContext, rawMethod: string, rawParams: unknown, requestId?: RequestId): Promise<unknown> {
  const punie = ctx.connection.dialect === 'punie';
  const method = punie ? canonicalMethod(rawMethod) : rawMethod;
  if (!ctx.connection.mayCall(method)) {
    throw new RpcError(ErrorCodes.InvalidRequest, `initialize must be the first request on /acp, got ${rawMethod}`);
  }
  const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
  if (!handler) {
    // Punie answers extension methods with an echo of their params; ACP says -32601.
    if (punie && method.startsWith('_')) return { echo: rawParams ?? {} };
    throw new RpcError(ErrorCodes.MethodNotFound, `Method not found: ${rawMethod}`);
  }
  const params = punie ? camelizeParams(rawParams ?? {}) : (rawParams ?? {});
  return handler(ctx, params, requestId);
}

function parse<T extends z.ZodType>(schema: T, params: unknown, method: string): z.infer<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw invalidParams(method, result.error.issues);
}

function initialize(ctx: MethodContext, params: unknown): InitializeResponse {
  // Punie's clients may omit protocolVersion (its own docs show `initialize {}`); strict ACP requires it.
  const withDefault = ctx.connection.dialect === 'punie' ? { protocolVersion: PROTOCOL_VERSION, ...(params as object) } : params;
  const request = parse(InitializeRequest, withDefault, Methods.initialize);
  ctx.connection.capabilities = request.clientCapabilities ?? {};
  ctx.connection.legacyClient = ctx.connection.dialect === 'punie' && request.clientCapabilities === undefined;
  ctx.connection.initialized = true;
  return {
    protocolVersion: PROTOCOL_VERSION,
    agentCapabilities: {
      loadSession: true,
      promptCapabilities: { image: true, audio: false, embeddedContext: true },
      mcpCapabilities: { http: ctx.options.agent.mcp.policy.allowsKind('http'), sse: ctx.options.agent.mcp.policy.allowsKind('sse') },
      sessionCapabilities: { list: {}, resume: {}, close: {}, delete: {} },
    },
    authMethods: [],
    agentInfo: { name: ctx.options.agentName, title: 'Punie AI Coding Agent', version: PUNIE_VERSION },
  };
}

/** A new session is on disk (or in the fleet's Redis, leased to this replica) before its id is given out. */
async function newSession(ctx: MethodContext, params: unknown): Promise<NewSessionResponse> {
  const request = parse(NewSessionRequest, params, Methods.sessionNew);
  ensureSessionCapacity({ own: ctx.store.list(ctx.connection.clientId).length, total: ctx.store.sessionCount }, ctx.options);
  const modelSpec = typeof request._meta?.model === 'string' ? request._meta.model : ctx.options.model;
  ensureModelAllowed(modelSpec, ctx.options);
  const session = ctx.store.create(ctx.connection, request.cwd, createModel(ctx, modelSpec));
  session.agent.mcp.configure(request.mcpServers);
  await session.sync();
  announceSession(ctx, session);
  return {
    sessionId: session.id,
    modes: modeState(session.agent.mode),
    configOptions: sessionConfig(ctx, session),
    _meta: { [META_RESUME_TOKEN]: session.token },
  };
}

/**
 * Replays the transcript as `session/update`s before answering, as ACP requires. `_meta.seq` of the answer
 * is the last update the transcript includes; waiting agent→client requests are sent again after it.
 */
async function loadSession(ctx: MethodContext, params: unknown): Promise<LoadSessionResponse> {
  const request = parse(LoadSessionRequest, params, Methods.sessionLoad);
  const token = request._meta?.[META_RESUME_TOKEN];
  await bringBack(ctx, request.sessionId);
  const session = ctx.store.resume(request.sessionId, typeof token === 'string' ? token : undefined, ctx.connection.clientId);
  session.agent.mcp.configure(request.mcpServers);
  // A long transcript goes at the client's pace: dumped at once it could trip the slow-client close.
  const transcript = [...session.agent.replayTranscript()];
  await session.sendBefore(async () => {
    for (const update of transcript) {
      await ctx.connection.outbound.whenDrained();
      if (!ctx.connection.isOpen) return;
      ctx.connection.notify(Methods.sessionUpdate, { sessionId: session.id, update, _meta: { replay: true } });
    }
  });
  session.outbound.resend(ctx.connection);
  announceSession(ctx, session);
  return {
    modes: modeState(session.agent.mode),
    configOptions: sessionConfig(ctx, session),
    _meta: { [META_RESUME_TOKEN]: session.token, [META_SEQ]: session.seq },
  };
}

/**
 * Re-attaches a session after a reconnect. With `_meta.seq` (the last update the client saw) the missed
 * updates are replayed before the answer, or the answer says there is a gap; without it nothing is replayed.
 * With `_meta.prompts` (request ids the client still waits for) the answer says what became of each.
 * Agent→client requests that were waiting for the client are sent again, ids unchanged, after the replay.
 */
async function resumeSession(ctx: MethodContext, params: unknown): Promise<LoadSessionResponse> {
  const request = parse(ResumeSessionRequest, params, Methods.sessionResume);
  const token = request.resumeToken ?? request._meta?.[META_RESUME_TOKEN];
  const lastSeq = request._meta?.[META_SEQ];
  await bringBack(ctx, request.sessionId, typeof lastSeq === 'number' ? lastSeq : undefined);
  // Relaying a turn of another server, the client may have seen events that were not yet stored when this copy was read.
  const relaying = ctx.store.get(request.sessionId);
  if (relaying?.remote && relaying.owner === ctx.connection.user && typeof lastSeq === 'number') await relaying.remote.caughtUp(lastSeq);
  const session = ctx.store.resume(request.sessionId, typeof token === 'string' ? token : undefined, ctx.connection.clientId);
  if (request.mcpServers) session.agent.mcp.configure(request.mcpServers);
  const meta: Record<string, unknown> = { [META_RESUME_TOKEN]: session.token, [META_SEQ]: session.seq };
  if (typeof lastSeq === 'number') meta[META_REPLAY] = replay(ctx, session, lastSeq);
  const waitingFor = request._meta?.[META_PROMPTS];
  if (Array.isArray(waitingFor)) meta[META_PROMPTS] = promptStatuses(session, waitingFor);
  const resent = session.outbound.resend(ctx.connection);
  if (resent > 0) ctx.options.logger.debug(`${ctx.connection.clientId}: sent ${resent} waiting agent request(s) of session ${session.id} again`);
  return { modes: modeState(session.agent.mode), configOptions: sessionConfig(ctx, session), _meta: meta };
}

function promptStatuses(session: ServerSession, ids: unknown[]): Record<string, PromptStatus> {
  const statuses: Record<string, PromptStatus> = {};
  for (const id of ids.slice(0, 64)) if (typeof id === 'string' || typeof id === 'number') statuses[String(id)] = session.prompts.status(id);
  return statuses;
}

function replay(ctx: MethodContext, session: ServerSession, lastSeq: number): object {
  const result = session.replaySince(lastSeq);
  if (!result.ok) return { status: 'gap', reason: result.reason };
  for (const entry of result.entries) ctx.connection.notify(entry.method, entry.params);
  return { status: 'replayed', count: result.entries.length };
}

/** Sessions per `session/list` page. */
const LIST_PAGE = 50;

/** The user's sessions, in memory and stored, newest first, in pages with an opaque cursor (ACP). */
function listSessions(ctx: MethodContext, params: unknown): ListSessionsResponse {
  const request = parse(ListSessionsRequest, params, Methods.sessionList);
  const user = ctx.connection.user;
  const all = new Map<string, { sessionId: string; cwd: string; title: string | null; updatedAt: number; model: string; running: boolean }>();
  for (const s of ctx.store.durable?.list(user) ?? []) all.set(s.id, { sessionId: s.id, cwd: s.cwd, title: s.title ?? null, updatedAt: s.updatedAt, model: s.model, running: false });
  for (const s of ctx.store.inMemory(user)) {
    all.set(s.id, { sessionId: s.id, cwd: s.cwd, title: s.title ?? null, updatedAt: s.updatedAt, model: s.agent.modelId, running: s.agent.isRunning });
  }
  const after = request.cursor ? decodeCursor(request.cursor) : undefined;
  // A cursor this server never gave out (opaque to the client, so a bug or a stale one) ends the list.
  if (after === null) return { sessions: [] };
  const sorted = [...all.values()]
    .filter((s) => !request.cwd || s.cwd === request.cwd)
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.sessionId < b.sessionId ? -1 : 1))
    .filter((s) => !after || s.updatedAt < after[0] || (s.updatedAt === after[0] && s.sessionId > after[1]));
  const page = sorted.slice(0, LIST_PAGE);
  const last = page[page.length - 1];
  return {
    sessions: page.map((s) => ({ sessionId: s.sessionId, cwd: s.cwd, title: s.title, updatedAt: new Date(s.updatedAt).toISOString(), _meta: { model: s.model, running: s.running } })),
    ...(sorted.length > LIST_PAGE && last ? { nextCursor: Buffer.from(JSON.stringify([last.updatedAt, last.sessionId])).toString('base64url') } : {}),
  };
}

function decodeCursor(cursor: string): [number, string] | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // not ours
  }
  return null;
}

/** Brings a stored session of the caller back into memory (no-op when it is there or is not the caller's); `seenSeq`: what the client saw. */
async function bringBack(ctx: MethodContext, sessionId: string, seenSeq?: number): Promise<void> {
  await ctx.store.find(sessionId, ctx.connection.user, (spec) => createModel(ctx, spec), seenSeq);
}

/** Every prompt with a request id is logged by id, so its outcome reaches a client whose connection dropped. */
async function prompt(ctx: MethodContext, params: unknown, requestId: RequestId | undefined): Promise<PromptResponse> {
  const request = parse(PromptRequest, params, Methods.sessionPrompt);
  const session = await local(ctx, ctx.store.owned(request.sessionId, ctx.connection.clientId));
  // A second prompt while one runs is refused by the agent, and not written down.
  if (session.agent.isRunning) return { stopReason: await session.agent.prompt(request.prompt) };
  session.updatedAt = ctx.options.now();
  session.record({ k: 'prompt', ts: session.updatedAt, rid: requestId, blocks: request.prompt });
  // The first prompt names the session (not announced: the client has just sent it).
  if (session.title === undefined) {
    session.title = firstLine(request.prompt);
    if (session.title !== undefined) session.record({ k: 'info', ts: session.updatedAt, title: session.title });
  }
  if (requestId !== undefined) session.prompts.started(requestId);
  ctx.connection.activePrompts++;
  const started = ctx.options.now();
  const question = `question ${requestId ?? '(notification)'} in session ${session.id} (model ${session.agent.modelId})`;
  ctx.options.logger.info(`${question} started`);
  try {
    const stopReason = runSlashCommand(ctx, session, request.prompt) ? 'end_turn' : await session.agent.prompt(request.prompt);
    await turnEnded(ctx, session, requestId, { stopReason });
    if (requestId !== undefined) session.promptEnded(requestId, ctx.connection, { status: 'finished', stopReason });
    const usage = session.agent.lastUsage;
    const tokens = usage ? `; ${usage.used}${usage.size ? ` of ${usage.size}` : ''} tokens in context` : '';
    ctx.options.logger.info(`${question} ended after ${ctx.options.now() - started} ms: ${stopReason}${tokens}`);
    return { stopReason };
  } catch (err) {
    const rpc = err instanceof RpcError ? err : new RpcError(ErrorCodes.InternalError, `The agent failed: ${(err as Error).message}`);
    await turnEnded(ctx, session, requestId, { error: rpc.toJSON() });
    if (requestId !== undefined) session.promptEnded(requestId, ctx.connection, { status: 'failed', error: rpc.toJSON() });
    ctx.options.logger.info(`${question} failed after ${ctx.options.now() - started} ms: ${rpc.message}`);
    throw rpc;
  } finally {
    ctx.connection.activePrompts--;
    session.updatedAt = ctx.options.now();
  }
}

/**
 * Writes down how a turn ended and makes it durable before the answer goes out. Not while the server
 * shuts down: that turn did not end, and the next start reports it interrupted.
 */
async function turnEnded(ctx: MethodContext, session: ServerSession, rid: RequestId | undefined, end: { stopReason?: string; error?: { code: number; message: string; data?: unknown } }): Promise<void> {
  if (ctx.store.shuttingDown) return;
  session.record({ k: 'turn_end', ts: ctx.options.now(), rid, ...end });
  await session.sync();
}

/** Sets a session's title, writes it down and announces it to the client with `session_info_update`. */
function retitle(session: ServerSession, title: string, now: number): void {
  session.title = title;
  session.record({ k: 'info', ts: now, title });
  session.emit({ sessionUpdate: 'session_info_update', title, updatedAt: new Date(now).toISOString() });
}

/** A session of the caller, from memory or the store, without attaching it; else "not found". */
async function usersSession(ctx: MethodContext, sessionId: string): Promise<ServerSession> {
  const session = await ctx.store.find(sessionId, ctx.connection.user, (spec) => createModel(ctx, spec));
  if (!session) throw new RpcError(ErrorCodes.ResourceNotFound, `Session ${sessionId} not found or expired`, { sessionId });
  return session;
}

async function readSession(ctx: MethodContext, params: unknown): Promise<object> {
  const request = parse(SessionIdOnly, params, READ_SESSION);
  const session = await usersSession(ctx, request.sessionId);
  return { sessionId: session.id, cwd: session.cwd, title: session.title ?? null, updatedAt: new Date(session.updatedAt).toISOString(), updates: session.agent.replayTranscript() };
}

async function setTitle(ctx: MethodContext, params: unknown): Promise<object> {
  const request = parse(SetSessionTitleRequest, params, SET_SESSION_TITLE);
  const session = await local(ctx, await usersSession(ctx, request.sessionId));
  retitle(session, request.title, ctx.options.now());
  await session.sync();
  return {};
}

/** ACP: deletes the user's session, running or not; an unknown id succeeds. */
async function deleteSession(ctx: MethodContext, params: unknown): Promise<object> {
  const request = parse(SessionIdOnly, params, Methods.sessionDelete);
  if (ctx.store.ownerOf(request.sessionId) === ctx.connection.user) await ctx.store.delete(request.sessionId, 'was deleted');
  return {};
}

function cancel(ctx: MethodContext, params: unknown): object {
  const request = parse(CancelNotification, params, Methods.sessionCancel);
  const session = ctx.store.owned(request.sessionId, ctx.connection.clientId);
  // A turn running on another server of the fleet is cancelled there.
  if (session.remote) session.remote.cancel();
  else session.agent.cancel();
  return {};
}

async function setMode(ctx: MethodContext, params: unknown): Promise<object> {
  const request = parse(SetModeRequest, params, Methods.sessionSetMode);
  const session = await local(ctx, ctx.store.owned(request.sessionId, ctx.connection.clientId));
  setConfigOption(ctx, session, 'mode', request.modeId);
  return {};
}

async function setConfig(ctx: MethodContext, params: unknown): Promise<SetConfigOptionResponse> {
  const request = parse(SetConfigOptionRequest, params, Methods.sessionSetConfigOption);
  const session = await local(ctx, ctx.store.owned(request.sessionId, ctx.connection.clientId));
  return { configOptions: setConfigOption(ctx, session, request.configId, request.value) };
}

/** ACP: frees the session's resources; a stored session stays in the user's list (session/delete removes it). */
async function closeSession(ctx: MethodContext, params: unknown): Promise<object> {
  const request = parse(SessionIdOnly, params, Methods.sessionClose);
  ctx.store.owned(request.sessionId, ctx.connection.clientId);
  if (ctx.store.durable) ctx.store.unload(request.sessionId, 'was closed');
  else await ctx.store.delete(request.sessionId);
  return {};
}

/**
 * A session whose turn runs on another server of the fleet takes no prompt or change here until that turn
 * ended; then it is used once it moved here (its client may send the next prompt as soon as it saw the end).
 */
async function local(ctx: MethodContext, session: ServerSession): Promise<ServerSession> {
  if (!session.remote) return session;
  if (!session.remote.moving) throw runningElsewhere(session.id);
  await session.remote.moving;
  const moved = ctx.store.get(session.id);
  if (!moved || moved === session) throw runningElsewhere(session.id);
  return moved;
}

function firstLine(blocks: { type: string; text?: unknown }[]): string | undefined {
  const text = blocks.find((b) => b.type === 'text')?.text;
  return typeof text === 'string' ? text.trim().split('\n')[0].slice(0, 80) || undefined : undefined;
}
