/**
 * The "Punie" chat view. The webview is disposable (no retainContextWhenHidden): after each `ready` it gets
 * the whole transcript, then batched deltas. Every message from it is validated before it is acted on.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { runInBackground } from '../util/background';
import { parseWebviewMessage, type HostMessage, type RenderReport, type WebviewMessage } from '../webview/protocol';
import { OpBatcher } from './batcher';
import type { ChatController } from './chat';
import type { ChangeReview } from './changeReview';
import type { Connection } from './clientLifecycle';
import { Disposable } from './disposable';
import type { WorkspaceFiles } from './fileSystem';
import { CHAT_VIEW_ID } from './ids';
import type { PunieLog } from './log';
import { attachmentExtras, pickWorkspaceFile } from './mentions';
import { selectionContext } from './selection';
import type { PermissionBroker } from './permissions';
import type { TerminalManager } from './terminals';
import type { TranscriptStore } from './transcriptStore';
import { chatHtml, chatResourceRoots } from './webviewHtml';

const PROBE_TIMEOUT_MS = 10_000;

/** What the view uses of the rest: each part narrowed to the calls the webview's messages make. */
export interface ChatViewDeps {
  log: Pick<PunieLog, 'warn' | 'error' | 'trace' | 'tracing' | 'show'>;
  transcript: Pick<TranscriptStore, 'onDidApply' | 'model' | 'notice' | 'apply'>;
  chat: Pick<ChatController, 'onDidChangeStatus' | 'onDidReturnDraft' | 'status' | 'ask' | 'cancel' | 'newSession' | 'setOption' | 'retry'>;
  connection: Pick<Connection, 'retryNow'>;
  permissions: Pick<PermissionBroker, 'answer'>;
  files: Pick<WorkspaceFiles, 'resolve'>;
  terminals: Pick<TerminalManager, 'show'>;
  review: Pick<ChangeReview, 'handle'>;
}

/** Whether the chat is on screen: set by the view, read by the permission prompts (no reference between them). */
export class ChatVisibility {
  visible = false;
}

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private focusWhenReady = false;
  /** A question to put back into the composer once the webview is ready. */
  private draft: string | undefined;
  private readonly readyEmitter = this.register(new vscode.EventEmitter<void>());
  private readonly batcher: OpBatcher;
  private readonly probes = new Map<string, (report: RenderReport) => void>();
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly deps: ChatViewDeps,
    private readonly visibility: ChatVisibility,
  ) {
    super();
    this.batcher = new OpBatcher((ops) => this.post({ type: 'ops', ops }));
    this.register({ dispose: () => this.batcher.discard() });
    this.register({ dispose: () => this.viewDisposables.splice(0).forEach((d) => d.dispose()) });
    this.register(
      deps.transcript.onDidApply((op) => {
        if (this.ready) this.batcher.push(op);
      }),
    );
    this.register(
      deps.chat.onDidChangeStatus((status) => {
        this.batcher.flush();
        this.post({ type: 'status', status });
      }),
    );
    this.register(
      deps.chat.onDidReturnDraft((text) => {
        this.draft = text;
        this.postDraft();
      }),
    );
  }

  get visible(): boolean {
    return this.view?.visible === true;
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: chatResourceRoots(this.extensionUri) };
    view.webview.html = chatHtml(view.webview, this.extensionUri);
    this.visibility.visible = view.visible;
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
      view.onDidChangeVisibility(() => {
        this.visibility.visible = view.visible;
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
        this.visibility.visible = false;
        this.ready = false;
      }),
    );
  }

  /** Opens the view (and focuses its input when asked). */
  async reveal(focusInput: boolean): Promise<void> {
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    if (!focusInput) return;
    if (this.ready) this.post({ type: 'focusInput' });
    else this.focusWhenReady = true;
  }

  /** Resolves once the webview has said `ready` (now, if it has). */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error(`the chat webview did not load within ${timeoutMs} ms`));
      }, timeoutMs);
      const sub = this.readyEmitter.event(() => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      });
    });
  }

  /** Test-only: what the webview rendered, after rendering everything pending. */
  probe(): Promise<RenderReport> {
    this.batcher.flush();
    const probeId = randomUUID();
    return new Promise<RenderReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(probeId);
        reject(new Error(`the chat webview did not answer a probe within ${PROBE_TIMEOUT_MS} ms (ready: ${this.ready})`));
      }, PROBE_TIMEOUT_MS);
      this.probes.set(probeId, (report) => {
        clearTimeout(timer);
        resolve(report);
      });
      this.post({ type: 'probe', probeId });
    });
  }

  /** Test-only: clicks a permission option in the webview. */
  choosePermission(id: string, optionId: string): void {
    this.post({ type: 'probeChoose', id, optionId });
  }

  /** Handles a message as if the webview had sent it (validated the same way); tests use this. */
  receive(data: unknown): void {
    const parsed = parseWebviewMessage(data);
    const { log } = this.deps;
    if (!parsed.ok) {
      log.warn(`chat webview: ${parsed.error}`);
      return;
    }
    if (log.tracing) log.trace(`webview → host ${parsed.message.type}`);
    this.handle(parsed.message).catch((err: Error) => log.error(`chat webview message ${parsed.message.type} failed: ${err.message}`));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const deps = this.deps;
    switch (message.type) {
      case 'ready':
        this.batcher.discard();
        this.ready = true;
        this.post({ type: 'init', items: deps.transcript.model.snapshot(), status: deps.chat.status() });
        this.postDraft();
        if (this.focusWhenReady) this.post({ type: 'focusInput' });
        this.focusWhenReady = false;
        this.readyEmitter.fire();
        return;
      case 'send': {
        const extras = await attachmentExtras(message.attachments ?? [], deps.chat.status().session.images);
        if (extras.refused.length) {
          deps.transcript.notice('warning', `Left out: ${extras.refused.join(', ')} (the agent takes no images, or the file is not in the workspace).`);
        }
        return deps.chat.ask(message.text, selectionContext(), extras);
      }
      case 'setOption':
        return deps.chat.setOption(message.configId, message.value);
      case 'mention': {
        const file = await pickWorkspaceFile();
        if (file) this.post({ type: 'mentioned', ...file });
        return;
      }
      case 'retry':
        return deps.chat.retry();
      case 'pickModel':
        await vscode.commands.executeCommand('punie.pickModel');
        return;
      case 'clear':
        deps.transcript.apply({ op: 'clear' });
        return;
      case 'cancel':
        await deps.chat.cancel();
        return;
      case 'retryNow':
        return deps.connection.retryNow();
      case 'newSession':
        return deps.chat.newSession();
      case 'showLogs':
        return deps.log.show();
      case 'permission':
        deps.permissions.answer(message.id, message.optionId, undefined, message.prefix);
        return;
      case 'review':
      case 'restoreCheckpoint':
        return deps.review.handle(message);
      case 'copy':
        return vscode.env.clipboard.writeText(message.text);
      case 'openLocation': {
        const uri = deps.files.resolve(message.path, 'read');
        const line = Math.max(0, (message.line ?? 1) - 1);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
        return;
      }
      case 'showTerminal':
        if (!deps.terminals.show(message.terminalId)) runInBackground('a notification', vscode.window.showInformationMessage('That command is no longer available.'));
        return;
      case 'probeReport':
        this.probes.get(message.probeId)?.(message.report);
        this.probes.delete(message.probeId);
        return;
      case 'error':
        deps.log.warn(`chat webview: ${message.message}`);
        return;
    }
  }

  private postDraft(): void {
    if (this.draft === undefined || !this.ready) return;
    this.post({ type: 'draft', text: this.draft });
    this.draft = undefined;
  }

  private post(message: HostMessage): void {
    if (!this.view || !this.ready) return;
    runInBackground(`posting ${message.type} to the chat webview`, this.view.webview.postMessage(message), this.deps.log);
  }
}
