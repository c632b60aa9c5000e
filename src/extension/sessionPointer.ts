/**
 * Which session the chat view shows, and which sessions have a turn running in this window. One small object
 * that the chat's turns, its attach/switch logic and the permission prompts share, so "the session on
 * screen" has one answer: a background session (one that keeps running while the user views another) is any
 * session here that is not the shown one. Plain code, no vscode.
 */
export class SessionPointer {
  /** The session on screen (none: the next question starts a new one). */
  sessionId: string | undefined;
  /** The server the shown session lives on (savedSession.ts `serverKey`); after a switch of server it is not looked for there. */
  server: string | undefined;
  /** The model the shown session runs (to switch it in place when the setting changes). */
  model: string | undefined;
  /** The session exists on the server but this client has not attached it (a reload, a replaced client). */
  attachPending = false;
  /** The transcript shown is the host's saved copy, not yet replayed from the server. */
  showingCache = false;
  /** The session the chat showed is gone (expired, taken, on another server): the next question starts a new one. */
  expired = false;
  /** Every turn still running, by session: one keeps streaming on the server while the chat shows another. */
  readonly running = new Map<string, AbortController>();

  /** Whether `sessionId` is a session of this window the chat does not show. */
  isBackground(sessionId: string): boolean {
    return sessionId !== this.sessionId;
  }

  get runningSessions(): ReadonlySet<string> {
    return new Set(this.running.keys());
  }

  /** The turn of `sessionId` ended (`turn`: only if it is still that turn). */
  ended(sessionId: string, turn: AbortController): void {
    if (this.running.get(sessionId) === turn) this.running.delete(sessionId);
  }

  /** Shows no session: the next question starts a new one. */
  clear(): void {
    this.sessionId = undefined;
    this.attachPending = this.showingCache = this.expired = false;
  }
}
