/**
 * Agent→client requests (fs, terminal, permission) by id. The server sends a request again, same id, to
 * the connection that resumes its session; the handler still runs once per id, and its answer (kept for a
 * while once known) goes to whichever connection asks. A dropped connection is not a cancel.
 */
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { IncomingRequest } from '../transport/endpoint';
import type { AgentRequestHandler } from './types';

interface Entry {
  promise: Promise<unknown>;
  controller: AbortController;
  sessionId: string | undefined;
  done: boolean;
}

/** Answers kept for requests the server may send again after a reconnect. */
const KEEP_ANSWERS = 256;

export class AgentRequests {
  private readonly entries = new Map<string, Entry>();
  private handler: AgentRequestHandler | undefined;

  /** `onStart` is told when a handler starts for a session, and returns what to call once it settled. */
  constructor(private readonly onStart: (sessionId: string) => () => void = () => () => {}) {}

  setHandler(handler: AgentRequestHandler): void {
    this.handler = handler;
  }

  /** `connectionClosed` tells a cancel from the server apart from the connection going away. */
  handle(request: IncomingRequest, connectionClosed: () => boolean): Promise<unknown> {
    const key = JSON.stringify(request.id);
    let entry = this.entries.get(key);
    if (!entry) entry = this.start(key, request);
    const controller = entry.controller;
    request.signal.addEventListener(
      'abort',
      () => {
        if (!connectionClosed()) controller.abort(new Error('cancelled by the agent'));
      },
      { once: true },
    );
    return entry.promise;
  }

  /** Aborts the running handlers of a session that could not be resumed. */
  abortSession(sessionId: string, reason: string): void {
    for (const entry of this.entries.values()) if (entry.sessionId === sessionId && !entry.done) entry.controller.abort(new Error(reason));
  }

  abortAll(reason: string): void {
    for (const entry of this.entries.values()) if (!entry.done) entry.controller.abort(new Error(reason));
  }

  private start(key: string, request: IncomingRequest): Entry {
    const controller = new AbortController();
    const params = request.params as { sessionId?: unknown; session_id?: unknown } | undefined;
    const sessionId = params?.sessionId ?? params?.session_id;
    const handler = this.handler;
    const entry: Entry = {
      controller,
      sessionId: typeof sessionId === 'string' ? sessionId : undefined,
      done: false,
      promise: handler
        ? Promise.resolve().then(() => handler(request.method, request.params, controller.signal, request.id))
        : Promise.reject(new RpcError(ErrorCodes.MethodNotFound, `Method not found: ${request.method} (this client handles no agent requests)`)),
    };
    this.entries.set(key, entry);
    const ended = entry.sessionId !== undefined && handler ? this.onStart(entry.sessionId) : () => {};
    const settle = () => {
      entry.done = true;
      ended();
      this.trim();
    };
    entry.promise.then(settle, settle);
    return entry;
  }

  private trim(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= KEEP_ANSWERS) return;
      if (entry.done) this.entries.delete(key);
    }
  }
}
