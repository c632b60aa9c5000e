/**
 * The parts behind the commands and the view, created together on first use (never at activation): the
 * server host, the connection, the transcript and chat, the ACP client handlers and the status bar. It only
 * builds and wires them; each part gets the narrow interface it uses, not this object.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { ModelRegistry } from '../agent/models/registry';
import type { AgentRequestHandler } from '../client/types';
import { runInBackground } from '../util/background';
import { createAgentRequestHandler } from './agentRequestHandler';
import { ChangeReview } from './changeReview';
import { ChatController } from './chat';
import { CONNECTION_KEYS, readConfig } from './config';
import { Connection, type ClientFactory } from './clientLifecycle';
import { Disposable } from './disposable';
import { WorkspaceFiles, workspaceRoots } from './fileSystem';
import type { PunieLog } from './log';
import { PermissionBroker } from './permissions';
import { SavedSessionPointer } from './savedSession';
import { ServerHost } from './serverHost';
import { SessionHistory } from './sessionHistory';
import { sessionDataDir, workspaceIdentity } from './sessionDir';
import { vscodeMcpSourceHost } from './mcpSourceHost';
import { McpSources } from './mcpSources';
import { ServerProblems } from './serverProblems';
import { StatusBar } from './statusBar';
import { TerminalManager } from './terminals';
import { TranscriptStore } from './transcriptStore';

export interface ServicesDeps {
  context: Pick<vscode.ExtensionContext, 'secrets' | 'workspaceState' | 'extension' | 'storageUri' | 'globalStorageUri'>;
  log: PunieLog;
  createClient: ClientFactory;
  /** Whether the chat view is on screen (permission prompts also notify when it is not). */
  chatVisible(): boolean;
  createModels?: () => ModelRegistry;
}

export class Services extends Disposable {
  readonly log: PunieLog;
  readonly servers: ServerHost;
  readonly files = new WorkspaceFiles((editor, oldText) => this.review.highlighter.show(editor, oldText));
  readonly terminals: TerminalManager;
  readonly transcript: TranscriptStore;
  readonly permissions: PermissionBroker;
  readonly problems: ServerProblems;
  readonly connection: Connection;
  readonly chat: ChatController;
  /** The History list: open, rename and delete this folder's sessions. */
  readonly history: SessionHistory;
  /** Answers the agent's fs, terminal and permission requests. */
  readonly agentRequests: AgentRequestHandler;
  readonly statusBar: StatusBar;
  /** Diff review of proposed writes, checkpoints, highlights of landed changes. */
  readonly review: ChangeReview;

  constructor(deps: ServicesDeps) {
    super();
    const { context, log } = deps;
    this.log = log;
    // Registered first, disposed last: the local server outlives the connection to it.
    const workspace = () => workspaceIdentity(vscode.workspace.workspaceFile, workspaceRoots());
    this.servers = this.register(new ServerHost(context.secrets, log, deps.createModels, () => sessionDataDir(context.globalStorageUri.fsPath, workspace())));
    this.transcript = this.register(new TranscriptStore(context.workspaceState));
    this.terminals = this.register(new TerminalManager(log, () => readConfig().terminalOutputByteLimit, () => readConfig().terminalTimeoutMs));
    this.review = this.register(new ChangeReview(context, this.transcript, () => this.chat.currentTurn, log));
    this.permissions = this.register(
      new PermissionBroker(
        this.transcript,
        {
          autoApprove: () => readConfig().autoApprove,
          allowSearches: () => readConfig().allowSearches,
          isTrusted: () => vscode.workspace.isTrusted,
          roots: workspaceRoots,
          chatVisible: deps.chatVisible,
          shownSession: () => this.chat.currentSessionId,
          showSession: async (sessionId) => {
            await vscode.commands.executeCommand('punie.openChat');
            await this.chat.openSession(sessionId);
          },
        },
        this.review.reviews,
      ),
    );
    this.review.reviews.connect((id, optionId, meta) => this.permissions.answer(id, optionId, meta));
    this.agentRequests = createAgentRequestHandler({
      files: this.files,
      terminals: this.terminals,
      permissions: this.permissions,
      review: this.review,
      log,
      notice: (text) => this.transcript.notice('warning', text),
    });
    this.problems = new ServerProblems(log);
    const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
    this.connection = this.register(
      new Connection({
        servers: this.servers,
        createClient: deps.createClient,
        agentRequests: this.agentRequests,
        log,
        version,
        reportProblem: (problem) => this.problems.report(problem),
      }),
    );
    this.chat = this.register(
      new ChatController(this.transcript, this.connection, log, new McpSources(vscodeMcpSourceHost(context), log), new SavedSessionPointer(path.join((context.storageUri ?? context.globalStorageUri).fsPath, 'chat-session.json')), {
        rejected: (session, call) => this.permissions.wasRejected(session, call),
        hasCheckpoint: (turnId) => this.review.checkpoints.has(turnId),
      }),
    );
    this.history = new SessionHistory(this.chat, this.connection, log, () => this.permissions.waitingSessions);
    // After a window reload the chat goes back to its session; the server replays it.
    runInBackground('reopening the chat session', this.chat.reattach(), log);
    this.statusBar = this.register(new StatusBar(this.connection, this.permissions.onDidChangePending));
    const reconfigure = (why: string, options?: { connect?: boolean }) => runInBackground(why, this.connection.reconfigure(options), log);
    this.register(
      // Settings apply live: a changed server, port, timeout or reconnect policy rebuilds the connection (the newest change wins).
      vscode.workspace.onDidChangeConfiguration((e) => {
        const changed = CONNECTION_KEYS.filter((key) => e.affectsConfiguration(key));
        if (changed.length === 0) return;
        const config = readConfig();
        log.info(`settings changed (${changed.join(', ')}): ${config.mode} server${config.mode === 'remote' ? ` ${config.remoteUrl}` : ''}`);
        reconfigure('applying the new server settings');
      }),
    );
    // Trust granted: reconnect so the agent learns it may now write files and run commands.
    this.register(vscode.workspace.onDidGrantWorkspaceTrust(() => reconfigure('reconnecting after workspace trust')));
    // A turn that ended leaves no question of its session open (ACP: pending requests are answered `cancelled`);
    // a switch of session ends no turn, so its prompts wait, and come back when the session is shown again.
    this.register(this.chat.onDidEndTurn((sessionId) => this.permissions.cancelAll(sessionId)));
    this.register(this.chat.onDidShowSession((sessionId) => this.permissions.showSession(sessionId)));
    this.register(this.connection.onDidReplaceClient(() => this.permissions.cancelAll()));
  }

  /** Saves the transcript and closes the connection and the local server; resolves once they are closed (deactivate waits for it). */
  async shutdown(): Promise<void> {
    await this.transcript.save();
    await this.connection.stop();
    await this.servers.stopLocal();
    this.dispose();
  }
}
