/**
 * Everything behind the commands and the view, created together on first use (never at activation): the
 * server host, the connection, the transcript and chat, the ACP client handlers and the status bar.
 */
import * as vscode from 'vscode';
import type { ModelRegistry } from '../agent/models/registry';
import type { AgentRequestHandler } from '../client/types';
import { createAgentRequestHandler } from './agentRequests';
import { ChatController } from './chat';
import { CONNECTION_KEYS, readConfig } from './config';
import { Connection, type ClientFactory } from './connection';
import { WorkspaceFiles } from './fileSystem';
import type { PunieLog } from './log';
import { PermissionBroker } from './permissions';
import { ServerHost } from './serverHost';
import { StatusBar } from './statusBar';
import { TerminalManager } from './terminals';
import { TranscriptStore } from './transcriptStore';

export interface ServicesDeps {
  context: vscode.ExtensionContext;
  log: PunieLog;
  createClient: ClientFactory;
  /** Whether the chat view is on screen (permission prompts also notify when it is not). */
  chatVisible(): boolean;
  createModels?: () => ModelRegistry;
}

export class Services implements vscode.Disposable {
  readonly log: PunieLog;
  readonly servers: ServerHost;
  readonly files = new WorkspaceFiles();
  readonly terminals: TerminalManager;
  readonly transcript: TranscriptStore;
  readonly permissions: PermissionBroker;
  readonly connection: Connection;
  readonly chat: ChatController;
  /** Answers the agent's fs, terminal and permission requests. */
  readonly agentRequests: AgentRequestHandler;
  readonly statusBar: StatusBar;
  private readonly disposables: vscode.Disposable[] = [];
  private applying: Promise<void> = Promise.resolve();
  private wasBusy = false;

  constructor(deps: ServicesDeps) {
    const { context, log } = deps;
    this.log = log;
    this.servers = new ServerHost(context.secrets, log, deps.createModels);
    this.terminals = new TerminalManager(log, () => readConfig().terminalOutputByteLimit);
    this.transcript = new TranscriptStore(context.workspaceState);
    this.permissions = new PermissionBroker(this.transcript, {
      autoApprove: () => readConfig().autoApprove,
      isTrusted: () => vscode.workspace.isTrusted,
      chatVisible: deps.chatVisible,
    });
    this.agentRequests = createAgentRequestHandler({ files: this.files, terminals: this.terminals, permissions: this.permissions, log });
    const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
    this.connection = new Connection(this.servers, deps.createClient, this.agentRequests, log, version);
    this.chat = new ChatController(this.transcript, this.connection, this.log);
    this.statusBar = new StatusBar(this.connection, this.permissions.onDidChangePending);
    this.disposables.push(
      // Settings apply live: a changed server, port, timeout or reconnect policy rebuilds the connection.
      vscode.workspace.onDidChangeConfiguration((e) => {
        const changed = CONNECTION_KEYS.filter((key) => e.affectsConfiguration(key));
        if (changed.length === 0) return;
        log.info(`settings changed: ${changed.join(', ')}`);
        void this.applyServerSettings();
      }),
      // Trust granted: reconnect so the agent learns it may now write files and run commands.
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.connection.restart()),
      // A turn that ended leaves no question open (ACP: pending requests are answered `cancelled`).
      this.chat.onDidChangeStatus((status) => {
        if (this.wasBusy && !status.busy) this.permissions.cancelAll();
        this.wasBusy = status.busy;
      }),
      this.connection.onDidReplaceClient(() => this.permissions.cancelAll()),
    );
  }

  /** Stops the local server when it is no longer wanted and rebuilds the connection for the new settings (one at a time). */
  applyServerSettings(): Promise<void> {
    this.applying = this.applying.then(() => this.rebuild());
    return this.applying;
  }

  private async rebuild(): Promise<void> {
    const config = readConfig();
    this.log.info(`settings changed: ${config.mode} server${config.mode === 'remote' ? ` ${config.remoteUrl}` : ''}`);
    const wasStarted = this.connection.started;
    await this.connection.stop();
    if (config.mode === 'remote') await this.servers.stopLocal();
    if (wasStarted) await this.connection.ensure().catch((err: Error) => this.log.warn(`reconnect with the new settings failed: ${err.message}`));
  }

  /** Restarts the in-process server (a new port when the port setting is 0) and reconnects. */
  async restartLocalServer(): Promise<void> {
    await this.connection.stop();
    await this.servers.stopLocal();
    await this.connection.ensure().catch((err: Error) => this.log.warn(`restart failed: ${err.message}`));
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.chat.dispose();
    this.permissions.dispose();
    this.connection.dispose();
    this.terminals.dispose();
    this.statusBar.dispose();
    this.transcript.dispose();
    this.servers.dispose();
  }
}
