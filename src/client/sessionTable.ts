/**
 * The client's view of its sessions: resume token, and the highest update seq it delivered. `seq` is a
 * high-water mark — an update at or below it is a duplicate (a replay overlapping what arrived live) and is
 * dropped; gaps in the numbering are normal (the server may coalesce chunks). While a session is being
 * resumed or reloaded its updates are held, in arrival order, until the server's answer says what to do.
 */
import { Methods, type SessionNotification } from '../protocol/acp';
import { META_SEQ, PROMPT_FINISHED } from '../protocol/punie';

export interface PromptFinishedParams {
  sessionId: string;
  requestId: string | number;
  stopReason?: string;
  error?: { code: number; message: string; data?: unknown };
}

export interface SessionMessage {
  method: string;
  params: { sessionId: string; _meta?: Record<string, unknown> | null };
}

export interface ClientSession {
  readonly id: string;
  readonly cwd: string;
  readonly model: string | undefined;
  readonly mcpServers: unknown[];
  token: string | undefined;
  lastSeq: number;
  /** Updates waiting while a resume or reload is in progress. */
  held: SessionMessage[] | undefined;
}

export interface SessionSinks {
  update(notification: SessionNotification): void;
  promptFinished(params: PromptFinishedParams): void;
}

export class SessionTable {
  private readonly sessions = new Map<string, ClientSession>();

  constructor(private readonly sinks: SessionSinks) {}

  add(session: Omit<ClientSession, 'lastSeq' | 'held'>): ClientSession {
    const entry: ClientSession = { ...session, lastSeq: 0, held: undefined };
    this.sessions.set(entry.id, entry);
    return entry;
  }

  get(id: string): ClientSession | undefined {
    return this.sessions.get(id);
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  all(): ClientSession[] {
    return [...this.sessions.values()];
  }

  /** Entry point for `session/update` and `_punie/prompt_finished` from the live connection. */
  receive(method: string, params: unknown): void {
    const message = { method, params } as SessionMessage;
    const session = typeof message.params?.sessionId === 'string' ? this.sessions.get(message.params.sessionId) : undefined;
    if (!session) {
      // Not one of ours to track (e.g. a session loaded by someone else): pass updates through as they are.
      if (method === Methods.sessionUpdate && message.params) this.sinks.update(message.params as SessionNotification);
      return;
    }
    if (session.held) session.held.push(message);
    else this.admit(session, message);
  }

  hold(session: ClientSession): void {
    session.held = [];
  }

  /** Stops holding and returns what was held, for the caller to deliver. */
  take(session: ClientSession): SessionMessage[] {
    const held = session.held ?? [];
    session.held = undefined;
    return held;
  }

  /** Delivers a message unless its seq is at or below the high-water mark. */
  admit(session: ClientSession, message: SessionMessage): void {
    const seq = message.params._meta?.[META_SEQ];
    if (typeof seq === 'number') {
      if (seq <= session.lastSeq) return;
      session.lastSeq = seq;
    }
    if (message.method === PROMPT_FINISHED) this.sinks.promptFinished(message.params as unknown as PromptFinishedParams);
    else if (message.method === Methods.sessionUpdate) this.sinks.update(message.params as unknown as SessionNotification);
  }
}
