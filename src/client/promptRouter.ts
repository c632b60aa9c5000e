/**
 * Routes prompts and cancels over whatever connection is up. A prompt asked while disconnected goes out
 * once connected; one in flight when the connection drops is settled by the resume, not failed; a cancel
 * that cannot reach the server now is owed and sent right after the next connect. It sees the connection
 * loop only through {@link ConnectedLink}.
 */
import { randomUUID } from 'node:crypto';
import { Methods, PromptResponse, type ContentBlock, type StopReason } from '../protocol/acp';
import { RpcError } from '../protocol/jsonrpc';
import type { PromptFinishedParams } from '../protocol/punie';
import { ConnectionClosedError } from '../transport/errors';
import { runInBackground } from '../util/background';
import { NotConnectedError } from './errors';
import type { LiveConnection } from './live';
import { PromptCall, PromptCalls, type PromptTimeouts } from './prompts';
import type { ClientManagerOptions } from './types';

/** The one thing the router needs of the connection loop. */
export interface ConnectedLink {
  /** The connection when it is up and announced, else undefined. */
  connectedLive(): LiveConnection | undefined;
}

export class PromptRouter {
  readonly calls = new PromptCalls();
  /** Sessions owed a `session/cancel` once they are resumed. */
  private readonly owedCancels = new Set<string>();
  private readonly timeouts: PromptTimeouts;

  constructor(
    private readonly link: ConnectedLink,
    private readonly options: ClientManagerOptions,
  ) {
    this.timeouts = { inactivityMs: options.promptInactivityTimeoutMs, totalMs: options.promptTotalTimeoutMs };
  }

  prompt(sessionId: string, blocks: ContentBlock[], signal: AbortSignal | undefined): Promise<StopReason> {
    const call = new PromptCall(sessionId, blocks, this.timeouts, (c) => {
      if (c.requestId !== undefined) this.cancelInBackground(c.sessionId);
    });
    this.calls.add(call);
    const live = this.link.connectedLive();
    if (live) this.send(call, live);
    if (signal?.aborted) this.abort(call);
    else signal?.addEventListener('abort', () => this.abort(call), { once: true });
    return call.promise;
  }

  async cancel(sessionId: string): Promise<void> {
    for (const call of this.calls.forSession(sessionId)) if (call.requestId === undefined) call.resolve('cancelled');
    await this.sendCancel(sessionId);
  }

  /** Just connected: the owed cancels go first, then every prompt that was not sent (or must be sent again). */
  connected(live: LiveConnection): void {
    for (const sessionId of this.owedCancels) live.endpoint.notify(Methods.sessionCancel, { sessionId }).catch(() => {});
    this.owedCancels.clear();
    for (const call of this.calls.all()) if (call.requestId === undefined) this.send(call, live);
  }

  /** Activity in a session: its prompts' inactivity clocks start over. */
  touch(sessionId: string): void {
    for (const call of this.calls.forSession(sessionId)) call.touch();
  }

  /** `_punie/prompt_finished`: a prompt ended while the connection that sent it was gone. */
  finished(params: PromptFinishedParams): void {
    const call = this.calls.find(params.sessionId, params.requestId);
    if (!call) return;
    if (params.error) call.reject(new RpcError(params.error.code, `session/prompt (request id ${JSON.stringify(params.requestId)}) failed: ${params.error.message}`, params.error.data));
    else call.resolve((params.stopReason ?? 'end_turn') as StopReason);
  }

  /** The session's prompts wait on the client's own answer: no inactivity timeout until it is given. */
  hold(sessionId: string): () => void {
    const calls = this.calls.forSession(sessionId);
    for (const call of calls) call.hold();
    return () => calls.forEach((call) => call.release());
  }

  failAll(reason: string, status?: number): void {
    for (const call of this.calls.all()) call.reject(new NotConnectedError(Methods.sessionPrompt, reason, status));
  }

  private send(call: PromptCall, live: LiveConnection): void {
    if (!live.heartbeat.check()) return; // stale: it goes out after the resume
    const id = randomUUID();
    call.requestId = id;
    live.endpoint.request(Methods.sessionPrompt, { sessionId: call.sessionId, prompt: call.blocks }, { id, result: PromptResponse }).then(
      (response) => call.resolve(response.stopReason),
      (err: Error) => {
        // A dropped connection is not the prompt's failure: the resume decides what became of it.
        if (!(err instanceof ConnectionClosedError)) call.reject(err);
      },
    );
  }

  private abort(call: PromptCall): void {
    if (call.settled) return;
    if (call.requestId === undefined) {
      call.resolve('cancelled');
      return;
    }
    this.cancelInBackground(call.sessionId);
    // Connected: the server answers `cancelled`. Otherwise that answer waits for the resume; do not make the caller wait.
    if (!this.link.connectedLive()) call.resolve('cancelled');
  }

  private cancelInBackground(sessionId: string): void {
    runInBackground(`session/cancel of ${sessionId}`, this.sendCancel(sessionId), this.options.logger);
  }

  /** `session/cancel` now, or owed until the session is resumed. */
  private async sendCancel(sessionId: string): Promise<void> {
    const live = this.link.connectedLive();
    if (!live) {
      this.owedCancels.add(sessionId);
      return;
    }
    await live.endpoint.notify(Methods.sessionCancel, { sessionId }).catch(() => this.owedCancels.add(sessionId));
  }
}
