/**
 * Attaching the chat to a session and switching between sessions: `session/load` attaches it and its replay
 * rebuilds the transcript (the server's log is the one source of truth), after a window reload, when the
 * user opens one from History, or before a question when this client has not attached the session yet. A
 * session that cannot be attached is reported in plain words: gone (the next question starts anew), or the
 * server unreachable (the cached copy stays, marked).
 */
import type { SessionLost } from '../client/types';
import type { SessionNotification } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { Logger } from '../util/logger';
import { runInBackground } from '../util/background';
import type { Connection } from './clientLifecycle';
import { describeFailure } from './failureText';
import type { AcpMcpServer } from './mcpConfig';
import { chatCwd, serverKey, type SavedSessionPointer } from './savedSession';
import type { SessionPointer } from './sessionPointer';
import type { SessionState } from './sessionState';
import type { TranscriptStore } from './transcriptStore';
import type { UpdateMapper } from './updateMapper';

/** Said on a transcript that is the host's cached copy, not the server's. */
const CACHED_NOTICE = 'This is a cached copy of the conversation: the server cannot be reached. It is reloaded from the server when you ask your next question.';

/** What the chat uses of the connection. */
export type ChatConnection = Pick<Connection, 'state' | 'endpoint' | 'current' | 'ensure' | 'onUpdate' | 'onSessionLost' | 'onDidReplaceClient' | 'onDidChangeState'>;

type Client = Awaited<ReturnType<ChatConnection['ensure']>>;

export interface AttachDeps {
  transcript: TranscriptStore;
  connection: ChatConnection;
  log: Pick<Logger, 'warn' | 'info'>;
  mcp: { servers(): Promise<AcpMcpServer[]> };
  saved: SavedSessionPointer;
  pointer: SessionPointer;
  session: SessionState;
  mapper: UpdateMapper;
  /** Whether the chat shows a turn (a reattach then waits for the next question). */
  busy(): boolean;
  /** A session was attached and its transcript rebuilt: a turn of this window still running in it is shown again. */
  attached(sessionId: string): void;
  publishStatus(): void;
}

export class SessionAttacher {
  /** The session `session/load` is replaying into the transcript; its live updates before the replay are already in it. */
  private loading: { sessionId: string; replaying: boolean } | undefined;
  /** The reattach after a window reload, while it runs (a question waits for it: the replay replaces the transcript). */
  reattaching: Promise<void> | undefined;

  constructor(private readonly deps: AttachDeps) {}

  /** After a window reload: the saved session is attached again and its transcript replayed from the server. */
  reattach(): Promise<void> {
    const { pointer } = this.deps;
    const sessionId = pointer.sessionId;
    if (!sessionId || !pointer.attachPending || this.deps.busy()) return Promise.resolve();
    const reattaching = (async () => {
      try {
        const client = await this.deps.connection.ensure();
        if (this.onOtherServer()) return;
        await this.load(sessionId, client);
      } catch (err) {
        this.reportLoadFailure(sessionId, err as Error);
      }
    })().finally(() => {
      if (this.reattaching === reattaching) this.reattaching = undefined;
    });
    this.reattaching = reattaching;
    return reattaching;
  }

  /** Before a question: a session this client has not attached yet is attached (the question `keep` stays at the end). */
  async attachIfPending(signal: AbortSignal, keep: string | undefined): Promise<void> {
    const { pointer } = this.deps;
    const sessionId = pointer.sessionId;
    if (!sessionId || !pointer.attachPending) return;
    const client = await this.deps.connection.ensure(signal);
    try {
      if (!this.onOtherServer()) await this.load(sessionId, client, keep);
    } catch (err) {
      this.reportLoadFailure(sessionId, err as Error);
      if (pointer.sessionId === sessionId) throw err;
    }
  }

  /** Stops following a replay (the chat was cleared). */
  stopLoading(): void {
    this.loading = undefined;
  }

  /**
   * Attaches a session with `session/load` and rebuilds the transcript from its replay. Nothing replayed
   * yet when it fails: the chat still shows what it showed, and goes on with it.
   */
  async load(sessionId: string, client: Client, keep?: string): Promise<void> {
    const { pointer, transcript, session } = this.deps;
    const kept = keep ? transcript.model.get(keep) : undefined;
    const before = { sessionId: pointer.sessionId, attachPending: pointer.attachPending };
    const loading = { sessionId, replaying: false };
    pointer.sessionId = sessionId;
    this.loading = loading;
    try {
      const opened = await client.openSession(sessionId, chatCwd(), { replay: true, mcpServers: await this.deps.mcp.servers() });
      if (pointer.sessionId !== sessionId) return;
      if (!loading.replaying) this.startReplay();
      session.reset(opened.response.configOptions, sessionId);
      pointer.model = session.find('model')?.currentValue;
    } catch (err) {
      if (pointer.sessionId === sessionId && !loading.replaying) [pointer.sessionId, pointer.attachPending] = [before.sessionId, before.attachPending];
      else if (pointer.sessionId === sessionId) pointer.attachPending = true;
      throw err;
    } finally {
      if (this.loading === loading) this.loading = undefined;
    }
    pointer.attachPending = pointer.showingCache = pointer.expired = false;
    if (kept) transcript.add(kept);
    this.deps.attached(sessionId);
    await this.remember(sessionId);
    runInBackground('saving the transcript', transcript.save(), this.deps.log);
    this.deps.publishStatus();
  }

  /** A session update: live ones of the shown session go into the transcript, a replay only while the chat loads it. */
  onUpdate(notification: SessionNotification): void {
    const { pointer, session } = this.deps;
    // The agent announces a new session's commands right after its answer, which can overtake it here.
    if (notification.sessionId !== pointer.sessionId && session.apply(notification.update, notification.sessionId)) return;
    if (notification.sessionId !== pointer.sessionId) return;
    const replay = notification._meta?.replay === true;
    const loading = this.loading?.sessionId === notification.sessionId ? this.loading : undefined;
    // A replay builds the transcript only while the chat loads it (a reload after a gap repeats what it has);
    // live updates that overtook the replay are in it too.
    if (replay && !loading) return;
    if (loading && replay && !loading.replaying) {
      loading.replaying = true;
      this.startReplay();
    } else if (loading && !replay && !loading.replaying) return;
    if (session.apply(notification.update)) this.deps.publishStatus();
    for (const op of this.deps.mapper.map(notification.sessionId, notification.update)) this.deps.transcript.apply(op);
  }

  /** The server lost the shown session (restarted without it, or another window took it): the chat says what it means. */
  onSessionLost(lost: SessionLost): void {
    const { pointer, transcript, session } = this.deps;
    if (lost.sessionId !== pointer.sessionId) return;
    // The reason (with ids) goes to the log; the chat says what it means for the user.
    this.deps.log.info(`session ${lost.sessionId} lost (${lost.reason}); recovery: ${lost.recovery}`);
    if (lost.recovery === 'new-session' && lost.replacementSessionId) {
      pointer.sessionId = lost.replacementSessionId;
      runInBackground('saving the chat session', this.remember(lost.replacementSessionId), this.deps.log);
      session.reset(undefined);
      transcript.notice('warning', 'The server restarted and this session could not be found. The chat goes on in a new session that does not know the earlier messages.');
    } else if (lost.recovery === 'reloaded') {
      transcript.notice('info', 'The connection was restored and the session reloaded.');
    } else {
      pointer.sessionId = undefined;
      pointer.expired = true;
      session.reset(undefined);
      this.forget();
      // Opened in another window: this one lets it go (two windows must not fight over a session).
      if (lost.recovery === 'taken') transcript.notice('warning', 'This conversation was opened in another window. Open it from History to continue it here; your next question starts a new one.');
      else transcript.notice('warning', 'The server restarted and this session could not be found; your next question starts a new one.');
    }
    this.deps.publishStatus();
  }

  /** Keeps the session shown (and the server it is on) for the next window. */
  remember(sessionId: string): Thenable<void> {
    this.deps.pointer.server = serverKey(this.deps.connection.endpoint) ?? 'local';
    return this.deps.saved.set({ sessionId, cwd: chatCwd(), server: this.deps.pointer.server });
  }

  /** The next window starts without a session. */
  forget(): void {
    runInBackground('forgetting the chat session', this.deps.saved.set(undefined), this.deps.log);
  }

  /**
   * The connection now goes to another server than the session's (settings changed): the session is not
   * there, so it is let go as before durable sessions — the transcript stays, and the next question starts anew.
   */
  private onOtherServer(): boolean {
    const { pointer } = this.deps;
    if (serverKey(this.deps.connection.endpoint) === pointer.server) return false;
    pointer.sessionId = undefined;
    pointer.attachPending = pointer.showingCache = false;
    pointer.expired = this.deps.transcript.model.length > 0;
    this.deps.session.reset(undefined);
    this.forget();
    this.deps.publishStatus();
    return true;
  }

  /** The replay of a loaded session begins: it replaces what the chat showed. */
  private startReplay(): void {
    this.deps.transcript.apply({ op: 'clear' });
    this.deps.mapper.startTurn();
  }

  /** A session that could not be reattached: gone on the server, or the server cannot be reached (the cache stays, marked). */
  reportLoadFailure(sessionId: string, err: Error): void {
    const { pointer, transcript } = this.deps;
    this.deps.log.warn(`could not reopen session ${sessionId}: ${err.message}`);
    if (pointer.sessionId !== sessionId) return;
    const failure = describeFailure(err);
    if (failure.kind === 'sessionGone' || (err instanceof RpcError && err.code === ErrorCodes.ResourceNotFound)) {
      pointer.sessionId = undefined;
      pointer.attachPending = false;
      pointer.expired = true;
      this.forget();
      transcript.notice('warning', 'This conversation is no longer on the server; your next question starts a new session.');
    } else if (pointer.showingCache) transcript.markCached('warning', CACHED_NOTICE);
    else transcript.notice('error', `Could not open the conversation: ${failure.text}`);
    this.deps.publishStatus();
  }
}
