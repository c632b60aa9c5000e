/**
 * The conversation: the chat shows one session of the current server, with one running turn at most; turns
 * of sessions it no longer shows keep running (on the server, which logs them). Ask adds the question,
 * streams the answer through the transcript, and always ends the turn with a clear outcome — answered,
 * stopped, or what went wrong and what to do. The transcript of a session comes from the server: opening one
 * (from History, or after a window reload) replays it with `session/load`; the host's saved copy is only a
 * cache, shown (marked) while the server cannot be reached.
 */
import * as vscode from 'vscode';
import type { ContentBlock, SessionConfigOption, SessionNotification } from '../protocol/acp';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { SessionLost } from '../client/types';
import type { Logger } from '../util/logger';
import { runInBackground } from '../util/background';
import type { AttachmentChip, ChatStatus } from '../webview/protocol';
import { SECTION, readConfig } from './config';
import type { Connection } from './clientLifecycle';
import { connectionView } from './connectionView';
import { Disposable } from './disposable';
import { describeFailure } from './failureText';
import type { AcpMcpServer } from './mcpConfig';
import { chatCwd, serverKey, type SavedSessionPointer } from './savedSession';
import { SessionState } from './sessionState';
import type { TranscriptStore } from './transcriptStore';
import { UpdateMapper } from './updateMapper';

/** Editor text sent along with a question. */
export interface AskContext {
  uri: string;
  label: string;
  text: string;
  languageId?: string;
}

/** What goes with a question: its ACP content blocks after the text, and the chips shown on it. */
export interface AskExtras {
  blocks: ContentBlock[];
  chips: AttachmentChip[];
}

/** If the agent does not confirm a cancel this fast, the turn is ended here anyway. */
const CANCEL_GRACE_MS = 5000;

/** What the chat uses of the connection. */
export type ChatConnection = Pick<Connection, 'state' | 'endpoint' | 'current' | 'ensure' | 'onUpdate' | 'onSessionLost' | 'onDidReplaceClient' | 'onDidChangeState'>;

/** Said on a transcript that is the host's cached copy, not the server's. */
const CACHED_NOTICE = 'This is a cached copy of the conversation: the server cannot be reached. It is reloaded from the server when you ask your next question.';
/** Said at once on a restored cache, until the server's replay replaces it. */
const REOPENING_NOTICE = 'This is the copy of the conversation saved in this window; it is being reopened from the server.';

export class ChatController extends Disposable {
  private readonly mapper: UpdateMapper;
  private sessionId: string | undefined;
  private sessionModel: string | undefined;
  private sessionExpired: boolean;
  /** The running turn of the session the chat shows. */
  private turn: AbortController | undefined;
  /** Every turn still running, by session: one keeps streaming on the server while the chat shows another. */
  private readonly running = new Map<string, AbortController>();
  /** The session `session/load` is replaying into the transcript; its live updates before the replay are already in it. */
  private loading: { sessionId: string; replaying: boolean } | undefined;
  /** The session exists on the server but this client has not attached it (a reload, a replaced client). */
  private attachPending = false;
  /** The server the session lives on ({@link serverKey}); after a switch to another server it is not looked for there. */
  private sessionServer: string | undefined;
  /** The transcript shown is the host's saved copy, not yet replayed from the server. */
  private showingCache = false;
  /** The reattach after a window reload, while it runs (a question waits for it: the replay replaces the transcript). */
  private reattaching: Promise<void> | undefined;
  /** The session the running turn's prompt was sent to. */
  private promptSessionId: string | undefined;
  private lostDuringTurn = false;
  /** The transcript id of the running turn's question. */
  private turnItemId: string | undefined;
  /** Model, mode, commands and usage of the session, for the composer. */
  readonly session = new SessionState();
  /** The turn a cancel was already sent for. */
  private cancelled: AbortController | undefined;
  /** A mode picked before the session exists; applied once it does. */
  private pendingMode: string | undefined;
  /** Model and mode changes not yet applied to the session. */
  private optionChanges: Promise<void> = Promise.resolve();
  /** The last question, for "Retry". */
  private lastQuestion: { question: string; context?: AskContext; extras?: AskExtras } | undefined;
  private readonly statusEmitter = this.register(new vscode.EventEmitter<ChatStatus>());
  private readonly draftEmitter = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeStatus = this.statusEmitter.event;
  /** A question that never reached the agent (no connection): it goes back into the composer to be sent again. */
  readonly onDidReturnDraft = this.draftEmitter.event;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly connection: ChatConnection,
    /** The whole error goes here (method, request id); the chat shows plain words. */
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    /** The MCP servers a new session gets. */
    private readonly mcp: { servers(): Promise<AcpMcpServer[]> },
    /** The session shown, kept across window reloads. */
    private readonly saved: SavedSessionPointer,
    /** Whether the user rejected a tool call's permission request (its card then says Rejected). */
    rejected?: (sessionId: string, toolCallId: string) => boolean,
  ) {
    super();
    this.mapper = new UpdateMapper(transcript.model, (prefix) => transcript.newId(prefix), rejected);
    const previous = saved.get();
    this.sessionExpired = transcript.restored && !previous;
    if (previous) {
      this.sessionId = previous.sessionId;
      this.sessionServer = previous.server;
      this.attachPending = true;
      this.showingCache = transcript.restored;
      if (this.showingCache) transcript.markCached('info', REOPENING_NOTICE);
    }
    this.register(connection.onUpdate((n) => this.onUpdate(n)));
    this.register(connection.onSessionLost((lost) => this.onSessionLost(lost)));
    this.register(connection.onDidReplaceClient(() => this.onClientReplaced()));
    this.register(connection.onDidChangeState(() => this.publishStatus()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.model`)) this.publishStatus();
      }),
    );
  }

  get busy(): boolean {
    return this.turn !== undefined;
  }

  get currentSessionId(): string | undefined {
    return this.sessionId;
  }

  /** The sessions with a turn running in this window (the History list marks them). */
  get runningSessions(): ReadonlySet<string> {
    return new Set(this.running.keys());
  }

  /** After a window reload: the saved session is attached again and its transcript replayed from the server. */
  reattach(): Promise<void> {
    const sessionId = this.sessionId;
    if (!sessionId || !this.attachPending || this.turn) return Promise.resolve();
    const reattaching = (async () => {
      try {
        const client = await this.connection.ensure();
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

  /**
   * Shows a session of this user (from History): its transcript is replayed from the server. A turn running
   * in the session shown before keeps running; a question not yet sent is stopped.
   */
  async openSession(sessionId: string): Promise<void> {
    if (sessionId === this.sessionId && !this.attachPending) return;
    this.detachTurn();
    const client = await this.connection.ensure();
    await this.load(sessionId, client);
  }

  /** A session was deleted (from History): if the chat shows it, it starts over. */
  async deleted(sessionId: string): Promise<void> {
    this.running.get(sessionId)?.abort(new Error('the session was deleted'));
    if (sessionId === this.sessionId) await this.newSession();
  }
  /** The running turn (its session and question), once its prompt was sent. */
  get currentTurn(): { sessionId: string; turnId: string } | undefined {
    return this.promptSessionId && this.turnItemId ? { sessionId: this.promptSessionId, turnId: this.turnItemId } : undefined;
  }

  status(): ChatStatus {
    const config = readConfig();
    const mode = this.connection.endpoint?.mode ?? config.mode;
    const images = this.connection.current?.agent?.agentCapabilities.promptCapabilities?.image === true;
    return {
      busy: this.busy,
      connection: connectionView(this.connection.state, mode, this.sessionExpired, Date.now()),
      session: this.session.view(config.model, images),
    };
  }

  /** Asks the last question again (after an interrupted or failed answer). */
  async retry(): Promise<void> {
    if (!this.lastQuestion) return;
    const { question, context, extras } = this.lastQuestion;
    await this.ask(question, context, extras);
  }

  /**
   * Changes the model or mode. With a session, the agent switches it in place (the conversation goes on);
   * the model also becomes the `punie.model` setting, so later sessions start with it.
   */
  setOption(configId: 'model' | 'mode', value: string): Promise<void> {
    // In order, and a question asked meanwhile waits for them: a model picked just before sending answers it.
    const change = this.optionChanges.then(() => this.changeOption(configId, value));
    this.optionChanges = change.catch(() => {});
    return change;
  }

  private async changeOption(configId: 'model' | 'mode', value: string): Promise<void> {
    const client = this.connection.current;
    if (!client || !this.sessionId) {
      if (configId === 'mode') this.pendingMode = value;
      this.publishStatus();
    } else await this.applyOption(configId, value);
    if (configId === 'model' && readConfig().model !== value) {
      await vscode.workspace.getConfiguration(SECTION).update('model', value, vscode.ConfigurationTarget.Global);
    }
  }

  private async applyOption(configId: string, value: string): Promise<void> {
    const client = this.connection.current;
    if (!client || !this.sessionId) return;
    try {
      const answer = await client.request<{ configOptions?: SessionConfigOption[] }>('session/set_config_option', { sessionId: this.sessionId, configId, value });
      if (answer.configOptions) this.session.setOptions(answer.configOptions);
      if (configId === 'model') this.sessionModel = value;
    } catch (err) {
      if (err instanceof RpcError && err.code === ErrorCodes.MethodNotFound && configId === 'model') {
        // An older server without config options: the new model needs a new session.
        this.sessionId = undefined;
        this.transcript.notice('info', `This server cannot switch the model of a session: the next question starts a new session with ${value}.`);
      } else this.transcript.notice('error', `Could not switch the ${configId} to ${value}: ${describeFailure(err as Error).text}`);
    }
    this.publishStatus();
  }

  /** Runs one turn; resolves when it has ended (however it ended). */
  async ask(question: string, context?: AskContext, extras?: AskExtras): Promise<void> {
    if (this.turn) {
      runInBackground('a notification', vscode.window.showInformationMessage('Punie is still answering. Wait for it, or run "Punie: Cancel" first.'), this.log);
      return;
    }
    const turn = new AbortController();
    this.turn = turn;
    await this.reattaching;
    this.lostDuringTurn = false;
    this.lastQuestion = { question, context, extras };
    this.setBusy(true);
    const chips = [...(context ? [{ kind: 'selection' as const, name: context.label }] : []), ...(extras?.chips ?? [])];
    this.turnItemId = this.transcript.newId('user');
    this.transcript.add({ kind: 'user', id: this.turnItemId, text: question, ...(chips.length ? { attachments: chips } : {}) });
    this.mapper.startTurn();
    let client: Awaited<ReturnType<ChatConnection['ensure']>> | undefined;
    let sent = false;
    let promptSession: string | undefined;
    try {
      client = await this.connection.ensure(turn.signal);
      await this.optionChanges;
      const sessionId = await this.ensureSession(turn.signal, this.turnItemId);
      promptSession = sessionId;
      this.promptSessionId = sessionId;
      this.running.set(sessionId, turn);
      sent = true;
      const stopReason = await client.prompt(sessionId, [...promptBlocks(question, context), ...(extras?.blocks ?? [])], { signal: turn.signal });
      // A turn of a session the chat no longer shows ends quietly: its outcome is in that session's log.
      if (this.turn !== turn) return;
      if (stopReason === 'cancelled') this.transcript.notice('info', 'Stopped.');
      else if (stopReason !== 'end_turn') this.transcript.notice('warning', `The agent stopped early (${stopReason.replace(/_/g, ' ')}).`);
    } catch (err) {
      if (this.turn !== turn) this.log.info(`a question of a session the chat no longer shows ended: ${err instanceof Error ? err.message : String(err)}`);
      else if (turn.signal.aborted) this.transcript.notice('info', 'Stopped.');
      else {
        this.log.warn(`the question failed${sent ? '' : ' before it was sent'}: ${err instanceof Error ? err.message : String(err)}`);
        const failure = describeFailure(err as Error);
        if (failure.kind === 'sessionGone') this.forgetSession();
        // The client the question went out on was stopped (server restarted, settings changed): the answer was cut.
        const replaced = client !== undefined && this.connection.current !== client;
        if (this.lostDuringTurn || replaced) this.transcript.notice('warning', 'Interrupted — the answer was cut off when the connection to the server ended.', 'retry');
        else this.transcript.notice(failure.kind === 'interrupted' ? 'warning' : 'error', failure.text, failure.retry ? 'retry' : undefined);
        if (!sent) this.draftEmitter.fire(question);
      }
    } finally {
      if (promptSession !== undefined && this.running.get(promptSession) === turn) this.running.delete(promptSession);
      if (this.turn === turn) {
        this.turn = undefined;
        this.promptSessionId = this.turnItemId = undefined;
        this.setBusy(false);
        runInBackground('saving the transcript', this.transcript.save(), this.log);
      } else this.publishStatus();
    }
  }

  /** Asks the agent to stop; if it does not confirm within a few seconds the turn ends here anyway. */
  async cancel(): Promise<boolean> {
    const turn = this.turn;
    if (!turn) return false;
    // Escape reaches both the webview and the keybinding: one cancel per turn.
    if (this.cancelled === turn) return true;
    this.cancelled = turn;
    const timer = setTimeout(() => turn.abort(new Error('the agent did not confirm the cancel')), CANCEL_GRACE_MS);
    const sub = this.onDidChangeStatus((s) => {
      if (s.busy) return;
      clearTimeout(timer);
      sub.dispose();
    });
    const client = this.connection.current;
    const sessionId = this.promptSessionId;
    if (client && sessionId) await client.cancel(sessionId).catch(() => turn.abort(new Error('cancel could not be sent')));
    else turn.abort(new Error('cancelled before the question was sent'));
    return true;
  }

  /**
   * Clears the chat; the next question starts a new session. The previous one stays in History, and a turn
   * running in it keeps running.
   */
  async newSession(): Promise<void> {
    this.detachTurn();
    this.sessionId = undefined;
    this.attachPending = this.showingCache = false;
    this.loading = undefined;
    this.session.reset(undefined);
    this.sessionExpired = false;
    this.transcript.apply({ op: 'clear' });
    await this.saved.set(undefined);
    this.publishStatus();
  }

  override dispose(): void {
    this.turn?.abort(new Error('extension deactivated'));
    for (const turn of this.running.values()) turn.abort(new Error('extension deactivated'));
    super.dispose();
  }

  /** The chat stops showing the running turn: sent, it keeps running in its session; not sent yet, it is stopped. */
  private detachTurn(): void {
    const turn = this.turn;
    if (!turn) return;
    const sent = this.promptSessionId !== undefined && this.running.get(this.promptSessionId) === turn;
    this.turn = undefined;
    this.promptSessionId = this.turnItemId = undefined;
    if (!sent) turn.abort(new Error('another session was opened before the question was sent'));
    this.setBusy(false);
  }

  /**
   * Attaches a session with `session/load` and rebuilds the transcript from its replay (the server's log is
   * the one source of truth). A turn of this window still running in it is shown running again.
   */
  private async load(sessionId: string, client: Awaited<ReturnType<ChatConnection['ensure']>>, keep?: string): Promise<void> {
    const kept = keep ? this.transcript.model.get(keep) : undefined;
    const before = { sessionId: this.sessionId, attachPending: this.attachPending };
    const loading = { sessionId, replaying: false };
    this.sessionId = sessionId;
    this.loading = loading;
    try {
      const session = await client.openSession(sessionId, chatCwd(), { replay: true, mcpServers: await this.mcp.servers() });
      if (this.sessionId !== sessionId) return;
      if (!loading.replaying) this.startReplay();
      this.session.reset(session.response.configOptions, sessionId);
      this.sessionModel = this.session.find('model')?.currentValue;
    } catch (err) {
      // Nothing replayed yet: the chat still shows what it showed, and goes on with it.
      if (this.sessionId === sessionId && !loading.replaying) [this.sessionId, this.attachPending] = [before.sessionId, before.attachPending];
      else if (this.sessionId === sessionId) this.attachPending = true;
      throw err;
    } finally {
      if (this.loading === loading) this.loading = undefined;
    }
    this.attachPending = this.showingCache = this.sessionExpired = false;
    if (kept) this.transcript.add(kept);
    const running = this.running.get(sessionId);
    if (running && !this.turn) {
      this.turn = running;
      this.promptSessionId = sessionId;
      this.turnItemId = this.mapper.lastQuestionId;
      this.setBusy(true);
    }
    await this.remember(sessionId);
    runInBackground('saving the transcript', this.transcript.save(), this.log);
    this.publishStatus();
  }

  /** The replay of a loaded session begins: it replaces what the chat showed. */
  private startReplay(): void {
    this.transcript.apply({ op: 'clear' });
    this.mapper.startTurn();
  }

  /** A session that could not be reattached: gone on the server, or the server cannot be reached (the cache stays, marked). */
  private reportLoadFailure(sessionId: string, err: Error): void {
    this.log.warn(`could not reopen session ${sessionId}: ${err.message}`);
    if (this.sessionId !== sessionId) return;
    const failure = describeFailure(err);
    if (failure.kind === 'sessionGone' || (err instanceof RpcError && err.code === ErrorCodes.ResourceNotFound)) {
      this.sessionId = undefined;
      this.attachPending = false;
      this.sessionExpired = true;
      runInBackground('forgetting the saved session', this.saved.set(undefined), this.log);
      this.transcript.notice('warning', 'This conversation is no longer on the server; your next question starts a new session.');
    } else if (this.showingCache) this.transcript.markCached('warning', CACHED_NOTICE);
    else this.transcript.notice('error', `Could not open the conversation: ${failure.text}`);
    this.publishStatus();
  }

  private async ensureSession(signal: AbortSignal, question: string | undefined): Promise<string> {
    if (this.sessionId && this.attachPending) {
      const sessionId = this.sessionId;
      const client = await this.connection.ensure(signal);
      try {
        // The question just asked stays at the end of the replayed conversation.
        if (!this.onOtherServer()) await this.load(sessionId, client, question);
      } catch (err) {
        this.reportLoadFailure(sessionId, err as Error);
        if (this.sessionId === sessionId) throw err;
      }
    }
    const model = readConfig().model;
    // A model changed in the settings is switched in place: the session and its conversation stay.
    if (this.sessionId && this.sessionModel !== model) await this.applyOption('model', model);
    if (this.sessionId) return this.sessionId;
    const client = await this.connection.ensure(signal);
    const cwd = chatCwd();
    const mcpServers = await this.mcp.servers();
    const session = await client.newSession(cwd, { model, mcpServers });
    this.sessionId = session.sessionId;
    this.sessionModel = model;
    await this.remember(session.sessionId);
    this.session.reset(session.response.configOptions, session.sessionId);
    if (this.pendingMode) await this.applyOption('mode', this.pendingMode);
    this.pendingMode = undefined;
    this.publishStatus();
    if (this.sessionExpired) {
      this.sessionExpired = false;
      this.publishStatus();
    }
    return session.sessionId;
  }

  private onUpdate(notification: SessionNotification): void {
    // The agent announces a new session's commands right after its answer, which can overtake it here.
    if (notification.sessionId !== this.sessionId && this.session.apply(notification.update, notification.sessionId)) return;
    if (notification.sessionId !== this.sessionId) return;
    const replay = notification._meta?.replay === true;
    const loading = this.loading?.sessionId === notification.sessionId ? this.loading : undefined;
    // A replay builds the transcript only while the chat loads it (a reload after a gap repeats what it has);
    // live updates that overtook the replay are in it too.
    if (replay && !loading) return;
    if (loading && replay && !loading.replaying) {
      loading.replaying = true;
      this.startReplay();
    } else if (loading && !replay && !loading.replaying) return;
    if (this.session.apply(notification.update)) this.publishStatus();
    for (const op of this.mapper.map(notification.sessionId, notification.update)) this.transcript.apply(op);
  }

  private onSessionLost(lost: SessionLost): void {
    if (lost.sessionId !== this.sessionId) return;
    if (this.turn) this.lostDuringTurn = true;
    // The reason (with ids) goes to the log; the chat says what it means for the user.
    this.log.info(`session ${lost.sessionId} lost (${lost.reason}); recovery: ${lost.recovery}`);
    if (lost.recovery === 'new-session' && lost.replacementSessionId) {
      this.sessionId = lost.replacementSessionId;
      runInBackground('saving the chat session', this.remember(lost.replacementSessionId), this.log);
      this.session.reset(undefined);
      this.transcript.notice('warning', 'The server restarted and this session could not be found. The chat goes on in a new session that does not know the earlier messages.');
    } else if (lost.recovery === 'reloaded') {
      this.transcript.notice('info', 'The connection was restored and the session reloaded.');
    } else {
      this.sessionId = undefined;
      this.sessionExpired = true;
      this.session.reset(undefined);
      runInBackground('forgetting the chat session', this.saved.set(undefined), this.log);
      // Opened in another window: this one lets it go (two windows must not fight over a session).
      if (lost.recovery === 'taken') this.transcript.notice('warning', 'This conversation was opened in another window. Open it from History to continue it here; your next question starts a new one.');
      else this.transcript.notice('warning', 'The server restarted and this session could not be found; your next question starts a new one.');
    }
    this.publishStatus();
  }

  /** Keeps the session shown (and the server it is on) for the next window. */
  private remember(sessionId: string): Thenable<void> {
    this.sessionServer = serverKey(this.connection.endpoint) ?? 'local';
    return this.saved.set({ sessionId, cwd: chatCwd(), server: this.sessionServer });
  }

  /**
   * The connection now goes to another server than the session's (settings changed): the session is not
   * there, so it is let go as before durable sessions — the transcript stays, and the next question starts anew.
   */
  private onOtherServer(): boolean {
    if (serverKey(this.connection.endpoint) === this.sessionServer) return false;
    this.sessionId = undefined;
    this.attachPending = this.showingCache = false;
    this.sessionExpired = this.transcript.model.length > 0;
    this.session.reset(undefined);
    runInBackground('forgetting the chat session', this.saved.set(undefined), this.log);
    this.publishStatus();
    return true;
  }

  private forgetSession(): void {
    if (!this.sessionId) return;
    this.sessionId = undefined;
    runInBackground('forgetting the chat session', this.saved.set(undefined), this.log);
    this.sessionExpired = true;
    this.publishStatus();
  }

  /** A new client (a restarted local server, changed settings): the session is attached again before the next question. */
  private onClientReplaced(): void {
    this.running.clear();
    if (!this.sessionId) return;
    this.attachPending = true;
    this.publishStatus();
  }

  private setBusy(busy: boolean): void {
    runInBackground('setting the punie.turnRunning context', vscode.commands.executeCommand('setContext', 'punie.turnRunning', busy), this.log);
    this.publishStatus();
  }

  private publishStatus(): void {
    this.statusEmitter.fire(this.status());
  }
}

function promptBlocks(question: string, context?: AskContext): ContentBlock[] {
  const blocks: ContentBlock[] = [{ type: 'text', text: question }];
  if (context) blocks.push({ type: 'resource', resource: { uri: context.uri, text: context.text, mimeType: 'text/plain' } });
  return blocks;
}
