/**
 * The conversation: one session on the current server, one running turn at most. Ask adds the question,
 * streams the answer through the transcript, and always ends the turn with a clear outcome — answered,
 * stopped, or what went wrong and what to do.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { ContentBlock, SessionNotification } from '../protocol/acp';
import type { SessionLost } from '../client/types';
import type { Logger } from '../util/logger';
import { runInBackground } from '../util/background';
import type { ChatStatus } from '../webview/protocol';
import { readConfig } from './config';
import type { Connection } from './clientLifecycle';
import { connectionView } from './connectionView';
import { Disposable } from './disposable';
import { failureText, sessionGone } from './failureText';
import type { TranscriptStore } from './transcriptStore';
import { UpdateMapper } from './updateMapper';

/** Editor text sent along with a question. */
export interface AskContext {
  uri: string;
  label: string;
  text: string;
  languageId?: string;
}

/** If the agent does not confirm a cancel this fast, the turn is ended here anyway. */
const CANCEL_GRACE_MS = 5000;

/** What the chat uses of the connection. */
export type ChatConnection = Pick<Connection, 'state' | 'endpoint' | 'current' | 'ensure' | 'onUpdate' | 'onSessionLost' | 'onDidReplaceClient' | 'onDidChangeState'>;

export class ChatController extends Disposable {
  private readonly mapper: UpdateMapper;
  private sessionId: string | undefined;
  private sessionModel: string | undefined;
  private sessionExpired: boolean;
  private turn: AbortController | undefined;
  /** The session the running turn's prompt was sent to. */
  private promptSessionId: string | undefined;
  private lostDuringTurn = false;
  /** The transcript id of the running turn's question. */
  private turnItemId: string | undefined;
  private readonly statusEmitter = this.register(new vscode.EventEmitter<ChatStatus>());
  private readonly draftEmitter = this.register(new vscode.EventEmitter<string>());
  readonly onDidChangeStatus = this.statusEmitter.event;
  /** A question that never reached the agent (no connection): it goes back into the composer to be sent again. */
  readonly onDidReturnDraft = this.draftEmitter.event;

  constructor(
    private readonly transcript: TranscriptStore,
    private readonly connection: ChatConnection,
    /** The whole error goes here (method, request id); the chat shows plain words. */
    private readonly log: Pick<Logger, 'warn'>,
    /** Whether the user rejected a tool call's permission request (its card then says Rejected). */
    rejected?: (sessionId: string, toolCallId: string) => boolean,
  ) {
    super();
    this.mapper = new UpdateMapper(transcript.model, (prefix) => transcript.newId(prefix), rejected);
    this.sessionExpired = transcript.restored;
    this.register(connection.onUpdate((n) => this.onUpdate(n)));
    this.register(connection.onSessionLost((lost) => this.onSessionLost(lost)));
    this.register(connection.onDidReplaceClient(() => this.onClientReplaced()));
    this.register(connection.onDidChangeState(() => this.publishStatus()));
  }

  get busy(): boolean {
    return this.turn !== undefined;
  }

  get currentSessionId(): string | undefined {
    return this.sessionId;
  }

  /** The running turn (its session and question), once its prompt was sent. */
  get currentTurn(): { sessionId: string; turnId: string } | undefined {
    return this.promptSessionId && this.turnItemId ? { sessionId: this.promptSessionId, turnId: this.turnItemId } : undefined;
  }

  status(): ChatStatus {
    const mode = this.connection.endpoint?.mode ?? readConfig().mode;
    return { busy: this.busy, connection: connectionView(this.connection.state, mode, this.sessionExpired, Date.now()) };
  }

  /** Runs one turn; resolves when it has ended (however it ended). */
  async ask(question: string, context?: AskContext): Promise<void> {
    if (this.turn) {
      runInBackground('a notification', vscode.window.showInformationMessage('Punie is still answering. Wait for it, or run "Punie: Cancel" first.'), this.log);
      return;
    }
    const turn = new AbortController();
    this.turn = turn;
    this.lostDuringTurn = false;
    this.setBusy(true);
    this.turnItemId = this.transcript.newId('user');
    this.transcript.add({ kind: 'user', id: this.turnItemId, text: context ? `${question}\n\n(with ${context.label})` : question });
    this.mapper.startTurn();
    let sent = false;
    try {
      const client = await this.connection.ensure(turn.signal);
      const sessionId = await this.ensureSession(turn.signal);
      this.promptSessionId = sessionId;
      sent = true;
      const stopReason = await client.prompt(sessionId, promptBlocks(question, context), { signal: turn.signal });
      if (stopReason === 'cancelled') this.transcript.notice('info', 'Stopped.');
      else if (stopReason !== 'end_turn') this.transcript.notice('warning', `The agent stopped early (${stopReason.replace(/_/g, ' ')}).`);
    } catch (err) {
      if (turn.signal.aborted) this.transcript.notice('info', 'Stopped.');
      else {
        this.log.warn(`the question failed${sent ? '' : ' before it was sent'}: ${err instanceof Error ? err.message : String(err)}`);
        if (sessionGone(err)) this.forgetSession();
        // A lost session was already explained by onSessionLost.
        if (!this.lostDuringTurn) this.transcript.notice('error', failureText(err));
        if (!sent) this.draftEmitter.fire(question);
      }
    } finally {
      this.turn = undefined;
      this.promptSessionId = this.turnItemId = undefined;
      this.setBusy(false);
      runInBackground('saving the transcript', this.transcript.save(), this.log);
    }
  }

  /** Asks the agent to stop; if it does not confirm within a few seconds the turn ends here anyway. */
  async cancel(): Promise<boolean> {
    const turn = this.turn;
    if (!turn) return false;
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

  /** Forgets the session and clears the transcript; the next question starts a new session. */
  async newSession(): Promise<void> {
    if (this.turn) await this.cancel();
    this.sessionId = undefined;
    this.sessionExpired = false;
    this.transcript.apply({ op: 'clear' });
    this.publishStatus();
  }

  override dispose(): void {
    this.turn?.abort(new Error('extension deactivated'));
    super.dispose();
  }

  private async ensureSession(signal: AbortSignal): Promise<string> {
    const model = readConfig().model;
    if (this.sessionId && this.sessionModel !== model) {
      this.transcript.notice('info', `The model is now ${model}: this question starts a new session.`);
      this.sessionId = undefined;
    }
    if (this.sessionId) return this.sessionId;
    const client = await this.connection.ensure(signal);
    const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
    const session = await client.newSession(cwd, { model });
    this.sessionId = session.sessionId;
    this.sessionModel = model;
    if (this.sessionExpired) {
      this.sessionExpired = false;
      this.publishStatus();
    }
    return session.sessionId;
  }

  private onUpdate(notification: SessionNotification): void {
    // Replays (session/load) repeat what the transcript already has.
    if (notification.sessionId !== this.sessionId || notification._meta?.replay === true) return;
    for (const op of this.mapper.map(notification.sessionId, notification.update)) this.transcript.apply(op);
  }

  private onSessionLost(lost: SessionLost): void {
    if (lost.sessionId !== this.sessionId) return;
    if (this.turn) this.lostDuringTurn = true;
    if (lost.recovery === 'new-session' && lost.replacementSessionId) {
      this.sessionId = lost.replacementSessionId;
      this.transcript.notice('warning', `The server lost the session (${lost.reason}). Continuing in a new session that does not know the earlier messages.`);
    } else if (lost.recovery === 'reloaded') {
      this.transcript.notice('info', 'The connection was restored and the session reloaded.');
    } else {
      this.sessionId = undefined;
      this.sessionExpired = true;
      this.transcript.notice('warning', `The session has ended (${lost.reason}). Your next question starts a new session.`);
    }
    this.publishStatus();
  }

  private forgetSession(): void {
    if (!this.sessionId) return;
    this.sessionId = undefined;
    this.sessionExpired = true;
    this.publishStatus();
  }

  private onClientReplaced(): void {
    if (!this.sessionId) return;
    this.sessionId = undefined;
    this.sessionExpired = this.transcript.model.length > 0;
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
