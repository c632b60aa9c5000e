/**
 * The editor's requests after `initialize`, mapped onto the client manager: `session/new` registers the
 * session for resume, `session/prompt` survives dropped connections, `session/cancel` reaches the server
 * now or right after a resume, and everything else passes through unchanged. Errors say what happened and
 * what to do; the endpoint adds the method and request id.
 */
import { SessionExpiredError, type PunieClientApi } from '../../client';
import { Methods, type ContentBlock, type NewSessionResponse } from '../../protocol/acp';
import { ErrorCodes, RpcError } from '../../protocol/jsonrpc';
import { META_RESUME_TOKEN } from '../../protocol/punie';
import { ConnectionClosedError } from '../../transport/errors';
import type { Logger } from '../../util/logger';
import type { SessionWatch } from './sessionWatch';

export interface RouteContext {
  client: PunieClientApi;
  watch: SessionWatch;
  /** Model of new sessions the editor does not choose one for (`_meta.model`); the server's default when undefined. */
  model: string | undefined;
  logger: Logger;
}

/** Requests that may simply be sent again when the connection dropped before their answer came. */
const IDEMPOTENT = new Set<string>([Methods.sessionList, Methods.sessionSetMode, Methods.sessionSetConfigOption]);

type Params = Record<string, unknown> | undefined;

export function route(ctx: RouteContext, method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
  const p = (typeof params === 'object' && params !== null ? params : undefined) as Params;
  const expired = ctx.watch.expiredError(p?.sessionId);
  if (expired) return Promise.reject(expired);
  if (method === Methods.sessionNew) return newSession(ctx, p);
  if (method === Methods.sessionPrompt) return prompt(ctx, p, signal);
  return passThrough(ctx, method, params, signal);
}

/** `session/cancel`; other notifications from the editor have nowhere to go (ACP: ignore them). */
export function notification(ctx: RouteContext, method: string, params: unknown): void {
  const sessionId = (params as Params)?.sessionId;
  if (method === Methods.sessionCancel && typeof sessionId === 'string') {
    ctx.client.cancel(sessionId).catch((err: Error) => ctx.logger.warn(`session/cancel of ${sessionId} failed: ${err.message}`));
    return;
  }
  ctx.logger.debug(`ignored notification ${method} from the editor`);
}

async function newSession(ctx: RouteContext, p: Params): Promise<NewSessionResponse> {
  if (typeof p?.cwd !== 'string') throw new RpcError(ErrorCodes.InvalidParams, 'Invalid params for session/new: cwd must be an absolute path');
  const meta = p._meta as Params;
  const model = typeof meta?.model === 'string' ? meta.model : ctx.model;
  const handle = await ctx.client.newSession(p.cwd, { model, mcpServers: Array.isArray(p.mcpServers) ? p.mcpServers : [] });
  return withoutResumeToken(handle.response);
}

async function prompt(ctx: RouteContext, p: Params, signal: AbortSignal): Promise<{ stopReason: string }> {
  const sessionId = p?.sessionId;
  if (typeof sessionId !== 'string' || !Array.isArray(p?.prompt)) {
    throw new RpcError(ErrorCodes.InvalidParams, 'Invalid params for session/prompt: sessionId must be a string and prompt an array of content blocks');
  }
  const running = ctx.watch.start(sessionId);
  try {
    const stopReason = await ctx.client.prompt(sessionId, p.prompt as ContentBlock[], { signal });
    if (running.incomplete !== undefined) {
      throw new RpcError(
        ErrorCodes.InternalError,
        `the turn ended (${stopReason}) but part of its output was lost while the connection to the Punie server was down ` +
          `(${running.incomplete}); the session goes on, and session/load shows its whole transcript`,
        { sessionId, stopReason },
      );
    }
    return { stopReason };
  } catch (err) {
    if (err instanceof SessionExpiredError) throw ctx.watch.expiredError(sessionId) ?? err;
    throw err;
  } finally {
    ctx.watch.end(sessionId, running);
  }
}

async function passThrough(ctx: RouteContext, method: string, params: unknown, signal: AbortSignal): Promise<unknown> {
  try {
    return await ctx.client.request(method, params, { signal });
  } catch (err) {
    if (!(err instanceof ConnectionClosedError) || !IDEMPOTENT.has(method) || signal.aborted) throw err;
    ctx.logger.info(`${method}: the connection dropped before the answer; sending it again once reconnected`);
    return ctx.client.request(method, params, { signal });
  }
}

/** The resume token is between the bridge and the server; the editor has no use for it. */
function withoutResumeToken(response: NewSessionResponse): NewSessionResponse {
  if (!response._meta || !(META_RESUME_TOKEN in response._meta)) return response;
  const { [META_RESUME_TOKEN]: _token, ...meta } = response._meta;
  return { ...response, _meta: Object.keys(meta).length ? meta : undefined };
}
