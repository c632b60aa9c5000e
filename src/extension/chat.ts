/**
 * The conversation: the chat shows one session of the current server, with one running turn at most; turns
 * of sessions it no longer shows keep running (on the server, which logs them). Ask adds the question,
 * streams the answer through the transcript, and always ends the turn with a clear outcome — answered,
 * stopped, or what went wrong and what to do. Which session is shown lives in sessionPointer.ts; attaching
 * and switching (the transcript replayed from the server's log) in sessionAttach.ts; model and mode in
 * sessionOptions.ts.
 */
import * as vscode from 'vscode';
import type { ContentBlock } from '../protocol/acp';
import { TURN_META } from '../protocol/punie';
import type { Logger } from '../util/logger';
import { runInBackground } from '../util/background';
import type { AttachmentChip, ChatStatus } from '../webview/protocol';
import { SECTION, readConfig } from './config';
import { connectionView } from './connectionView';
import { Disposable } from './disposable';
import { describeFailure } from './failureText';
import type { AcpMcpServer } from './mcpConfig';
import { chatCwd, type SavedSessionPointer } from './savedSession';
import { SessionAttacher, type ChatConnection } from './sessionAttach';
import { SessionOptions } from './sessionOptions';
import { SessionPointer } from './sessionPointer';
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

export type { ChatConnection } from './sessionAttach';

/** Said at once on a restored cache, until the server's replay replaces it. */
const REOPENING_NOTICE = 'This is the copy of the conversation saved in this window; it is being reopened from the server.';

/** What the chat needs to know of a session's tool calls and questions beyond the server's log. */
export interface ChatHooks {
  /** Whether the user rejected a tool call's permission request (its card then says Rejected). */
  rejected?(sessionId: string, toolCallId: string): boolean;
  /** Whether a question (its transcript id) has a checkpoint: a replayed question then still offers Restore. */
  hasCheckpoint?(turnId: string): boolean;
}

export class ChatController extends Disposable {
  private readonly mapper: UpdateMapper;
  /** Which session the chat shows, and which run in this window. */
  private readonly pointer = new SessionPointer();
  private readonly attach: SessionAttacher;
  /** The running turn of the session the chat shows. */
  private turn: AbortController | undefined;
  /** The session the running turn's prompt was sent to. */
  private promptSessionId: string | undefined;
  private lostDuringTurn = false;
  /** The transcript id of the running turn's question. */
  private turnItemId: string | undefined;
  /** Model, mode, commands and usage of the session, for the composer. */
  readonly session = new SessionState();
  /** The turn a cancel was already sent for. */
  private cancelled: AbortController | undefined;
  /** The session's model and mode. */
  private readonly options: SessionOptions;
  /** The last question, for "Retry". */
  private lastQuestion: { question: string; context?: AskContext; extras?: AskExtras } | undefined;
  private readonly statusEmitter = this.register(new vscode.EventEmitter<ChatStatus>());
  private readonly draftEmitter = this.register(new vscode.EventEmitter<string>());
  private readonly shownEmitter = this.register(new vscode.EventEmitter<string>());
  private readonly turnEndEmitter = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeStatus = this.statusEmitter.event;
  /** A question that never reached the agent (no connection): it goes back into the composer to be sent again. */
  readonly onDidReturnDraft = this.draftEmitter.event;
  /** A session was attached and its transcript rebuilt (what waits for the user in it can be shown again). */
  readonly onDidShowSession = this.shownEmitter.event;
  /** A turn of this window ended, with the id of its session (shown or not). */
  readonly onDidEndTurn = this.turnEndEmitter.event;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly connection: ChatConnection,
    /** The whole error goes here (method, request id); the chat shows plain words. */
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    /** The MCP servers a new session gets. */
    private readonly mcp: { servers(): Promise<AcpMcpServer[]> },
    /** The session shown, kept across window reloads. */
    private readonly saved: SavedSessionPointer,
    hooks: ChatHooks = {},
  ) {
    super();
    this.mapper = new UpdateMapper(transcript.model, (prefix) => transcript.newId(prefix), hooks.rejected, hooks.hasCheckpoint);
    this.attach = new SessionAttacher({
      transcript,
      connection,
      log,
      mcp,
      saved,
      pointer: this.pointer,
      session: this.session,
      mapper: this.mapper,
      busy: () => this.turn !== undefined,
      attached: (sessionId) => this.attached(sessionId),
      publishStatus: () => this.publishStatus(),
    });
    this.options = new SessionOptions({ connection, pointer: this.pointer, session: this.session, transcript, publishStatus: () => this.publishStatus() });
    const previous = saved.get();
    this.pointer.expired = transcript.restored && !previous;
    if (previous) {
      this.pointer.sessionId = previous.sessionId;
      this.pointer.server = previous.server;
      this.pointer.attachPending = true;
      this.pointer.showingCache = transcript.restored;
      if (this.pointer.showingCache) transcript.markCached('info', REOPENING_NOTICE);
    }
    this.register(connection.onUpdate((n) => this.attach.onUpdate(n)));
    this.register(
      connection.onSessionLost((lost) => {
        if (lost.sessionId === this.pointer.sessionId && this.turn) this.lostDuringTurn = true;
        this.attach.onSessionLost(lost);
      }),
    );
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
    return this.pointer.sessionId;
  }

  /** The sessions with a turn running in this window (the History list marks them). */
  get runningSessions(): ReadonlySet<string> {
    return this.pointer.runningSessions;
  }

  /** After a window reload: the saved session is attached again and its transcript replayed from the server. */
  reattach(): Promise<void> {
    return this.attach.reattach();
  }

  /**
   * Shows a session of this user (from History): its transcript is replayed from the server. A turn running
   * in the session shown before keeps running; a question not yet sent is stopped.
   */
  async openSession(sessionId: string): Promise<void> {
    if (sessionId === this.pointer.sessionId && !this.pointer.attachPending) return;
    this.detachTurn();
    const client = await this.connection.ensure();
    await this.attach.load(sessionId, client);
  }

  /** A session was deleted (from History): if the chat shows it, it starts over. */
  async deleted(sessionId: string): Promise<void> {
    this.pointer.running.get(sessionId)?.abort(new Error('the session was deleted'));
    if (sessionId === this.pointer.sessionId) await this.newSession();
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
      connection: connectionView(this.connection.state, mode, this.pointer.expired, Date.now()),
      session: this.session.view(config.model, images),
    };
  }

  /** Asks the last question again (after an interrupted or failed answer). */
  async retry(): Promise<void> {
    if (!this.lastQuestion) return;
    const { question, context, extras } = this.lastQuestion;
    await this.ask(question, context, extras);
  }

  /** Changes the model or mode (sessionOptions.ts). */
  setOption(configId: 'model' | 'mode', value: string): Promise<void> {
    return this.options.set(configId, value);
  }

  /** Runs one turn; resolves when it has ended (however it ended). */
  async ask(question: string, context?: AskContext, extras?: AskExtras): Promise<void> {
    if (this.turn) {
      runInBackground('a notification', vscode.window.showInformationMessage('Punie is still answering. Wait for it, or run "Punie: Cancel" first.'), this.log);
      return;
    }
    const turn = new AbortController();
    this.turn = turn;
    await this.attach.reattaching;
    this.lostDuringTurn = false;
    this.lastQuestion = { question, context, extras };
    this.setBusy(true);
    const chips = [...(context ? [{ kind: 'selection' as const, name: context.label }] : []), ...(extras?.chips ?? [])];
    const turnItemId = (this.turnItemId = this.transcript.newId('user'));
    this.transcript.add({ kind: 'user', id: turnItemId, text: question, ...(chips.length ? { attachments: chips } : {}) });
    this.mapper.startTurn();
    let client: Awaited<ReturnType<ChatConnection['ensure']>> | undefined;
    let sent = false;
    let promptSession: string | undefined;
    try {
      client = await this.connection.ensure(turn.signal);
      await this.options.settled;
      const sessionId = await this.ensureSession(turn.signal, turnItemId);
      promptSession = sessionId;
      this.promptSessionId = sessionId;
      this.pointer.running.set(sessionId, turn);
      sent = true;
      const stopReason = await client.prompt(sessionId, [...promptBlocks(question, turnItemId, context), ...(extras?.blocks ?? [])], { signal: turn.signal });
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
      if (promptSession !== undefined) {
        this.pointer.ended(promptSession, turn);
        this.turnEndEmitter.fire(promptSession);
      }
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
    this.pointer.clear();
    this.attach.stopLoading();
    this.session.reset(undefined);
    this.transcript.apply({ op: 'clear' });
    await this.saved.set(undefined);
    this.publishStatus();
  }

  override dispose(): void {
    this.turn?.abort(new Error('extension deactivated'));
    for (const turn of this.pointer.running.values()) turn.abort(new Error('extension deactivated'));
    super.dispose();
  }

  /** The chat stops showing the running turn: sent, it keeps running in its session; not sent yet, it is stopped. */
  private detachTurn(): void {
    const turn = this.turn;
    if (!turn) return;
    const sent = this.promptSessionId !== undefined && this.pointer.running.get(this.promptSessionId) === turn;
    this.turn = undefined;
    this.promptSessionId = this.turnItemId = undefined;
    if (!sent) turn.abort(new Error('another session was opened before the question was sent'));
    this.setBusy(false);
  }

  /** A session was attached and replayed: a turn of this window still running in it is shown running again. */
  private attached(sessionId: string): void {
    const running = this.pointer.running.get(sessionId);
    if (running && !this.turn) {
      this.turn = running;
      this.promptSessionId = sessionId;
      this.turnItemId = this.mapper.lastQuestionId;
      this.setBusy(true);
    }
    this.shownEmitter.fire(sessionId);
  }

  private async ensureSession(signal: AbortSignal, question: string | undefined): Promise<string> {
    await this.attach.attachIfPending(signal, question);
    const model = readConfig().model;
    // A model changed in the settings is switched in place: the session and its conversation stay.
    if (this.pointer.sessionId && this.pointer.model !== model) await this.options.apply('model', model);
    if (this.pointer.sessionId) return this.pointer.sessionId;
    const client = await this.connection.ensure(signal);
    const session = await client.newSession(chatCwd(), { model, mcpServers: await this.mcp.servers() });
    this.pointer.sessionId = session.sessionId;
    this.pointer.model = model;
    await this.attach.remember(session.sessionId);
    this.session.reset(session.response.configOptions, session.sessionId);
    await this.options.applyPending();
    this.pointer.expired = false;
    this.publishStatus();
    return session.sessionId;
  }

  private forgetSession(): void {
    if (!this.pointer.sessionId) return;
    this.pointer.sessionId = undefined;
    this.attach.forget();
    this.pointer.expired = true;
    this.publishStatus();
  }

  /** A new client (a restarted local server, changed settings): the session is attached again before the next question. */
  private onClientReplaced(): void {
    this.pointer.running.clear();
    if (!this.pointer.sessionId) return;
    this.pointer.attachPending = true;
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

/** The question's blocks; its first carries the chat's id for it, so a replay shows the same question (and its checkpoint). */
function promptBlocks(question: string, turnId: string, context?: AskContext): ContentBlock[] {
  const blocks: ContentBlock[] = [{ type: 'text', text: question, _meta: { [TURN_META]: turnId } }];
  if (context) blocks.push({ type: 'resource', resource: { uri: context.uri, text: context.text, mimeType: 'text/plain' } });
  return blocks;
}
