/**
 * Prompts the caller is waiting for. A prompt outlives the connection it was sent on: it is answered by
 * its response, by a `_punie/prompt_finished` after a resume, or by the status the resume reports. It fails
 * only on an error, on `promptInactivityTimeoutMs` without an update of its session (every update resets
 * it, so a long healthy turn is never killed, and the clock stops while the agent waits for the client to
 * answer one of its requests — a permission the user has not decided yet), or on the optional total cap.
 */
import { Methods, type ContentBlock, type StopReason } from '../protocol/acp';
import type { RequestId } from '../protocol/jsonrpc';
import { RequestTimeoutError } from '../transport/errors';

export interface PromptTimeouts {
  inactivityMs: number;
  totalMs: number | undefined;
}

export class PromptCall {
  readonly promise: Promise<StopReason>;
  /** Id of the last `session/prompt` sent for this call; undefined while it waits to be (re)sent. */
  requestId: string | undefined;
  settled = false;
  private resolveFn!: (reason: StopReason) => void;
  private rejectFn!: (error: Error) => void;
  private inactivity: NodeJS.Timeout | undefined;
  private total: NodeJS.Timeout | undefined;
  /** Agent→client requests of this session being answered: the silence is the client's, not the server's. */
  private holds = 0;

  constructor(
    readonly sessionId: string,
    readonly blocks: ContentBlock[],
    private readonly timeouts: PromptTimeouts,
    private readonly onTimeout: (call: PromptCall, error: RequestTimeoutError) => void,
  ) {
    this.promise = new Promise<StopReason>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    this.touch();
    if (timeouts.totalMs !== undefined) {
      this.total = setTimeout(() => this.timeout('total', timeouts.totalMs!), timeouts.totalMs);
    }
  }

  /** Activity in the session: the inactivity clock starts over. */
  touch(): void {
    if (this.settled) return;
    clearTimeout(this.inactivity);
    if (this.holds > 0) return;
    this.inactivity = setTimeout(() => this.timeout('inactivity', this.timeouts.inactivityMs), this.timeouts.inactivityMs);
  }

  /** The inactivity clock stops until every hold is released. */
  hold(): void {
    this.holds++;
    clearTimeout(this.inactivity);
  }

  release(): void {
    if (this.holds === 0) return;
    this.holds--;
    this.touch();
  }

  resolve(reason: StopReason): void {
    if (this.finish()) this.resolveFn(reason);
  }

  reject(error: Error): void {
    if (this.finish()) this.rejectFn(error);
  }

  private timeout(kind: 'inactivity' | 'total', ms: number): void {
    const error = new RequestTimeoutError(Methods.sessionPrompt, this.requestId ?? '(not sent yet)', ms, kind);
    this.reject(error);
    this.onTimeout(this, error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.inactivity);
    clearTimeout(this.total);
    return true;
  }
}

/** The unsettled prompt calls, by session. */
export class PromptCalls {
  private readonly calls = new Set<PromptCall>();

  add(call: PromptCall): void {
    this.calls.add(call);
    void call.promise.then(
      () => this.calls.delete(call),
      () => this.calls.delete(call),
    );
  }

  forSession(sessionId: string): PromptCall[] {
    return [...this.calls].filter((c) => c.sessionId === sessionId && !c.settled);
  }

  find(sessionId: string, requestId: RequestId): PromptCall | undefined {
    return this.forSession(sessionId).find((c) => c.requestId === String(requestId));
  }

  all(): PromptCall[] {
    return [...this.calls].filter((c) => !c.settled);
  }
}
