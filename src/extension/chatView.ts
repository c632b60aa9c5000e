/**
 * The "Punie" chat view. The webview is disposable (no retainContextWhenHidden): after each `ready` it gets
 * the whole transcript, then batched deltas. Every message from it is validated before it is acted on.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { parseWebviewMessage, type HostMessage, type RenderReport, type WebviewMessage } from '../webview/protocol';
import { OpBatcher } from './batcher';
import { selectionContext } from './commands';
import { CHAT_VIEW_ID } from './ids';
import { attachmentExtras, pickWorkspaceFile } from './mentions';
import type { Services } from './services';
import { chatHtml, chatResourceRoots } from './webviewHtml';

const PROBE_TIMEOUT_MS = 10_000;

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private focusWhenReady = false;
  private readonly readyEmitter = new vscode.EventEmitter<void>();
  private readonly batcher: OpBatcher;
  private readonly probes = new Map<string, (report: RenderReport) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly services: () => Services,
  ) {
    this.batcher = new OpBatcher((ops) => this.post({ type: 'ops', ops }));
  }

  get visible(): boolean {
    return this.view?.visible === true;
  }

  /** Subscribes to the chat once the services exist (they are created on first use). */
  attach(services: Services): void {
    this.disposables.push(
      services.transcript.onDidApply((op) => {
        if (this.ready) this.batcher.push(op);
      }),
      services.chat.onDidChangeStatus((status) => {
        this.batcher.flush();
        this.post({ type: 'status', status });
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: chatResourceRoots(this.extensionUri) };
    view.webview.html = chatHtml(view.webview, this.extensionUri);
    this.viewDisposables.push(
      view.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
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
    const { log } = this.services();
    if (!parsed.ok) {
      log.warn(`chat webview: ${parsed.error}`);
      return;
    }
    if (log.tracing) log.trace(`webview → host ${parsed.message.type}`);
    this.handle(parsed.message).catch((err: Error) => log.error(`chat webview message ${parsed.message.type} failed: ${err.message}`));
  }

  dispose(): void {
    for (const d of [...this.disposables, ...this.viewDisposables]) d.dispose();
    this.batcher.discard();
    this.readyEmitter.dispose();
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const services = this.services();
    switch (message.type) {
      case 'ready':
        this.batcher.discard();
        this.ready = true;
        this.post({ type: 'init', items: services.transcript.model.snapshot(), status: services.chat.status() });
        if (this.focusWhenReady) this.post({ type: 'focusInput' });
        this.focusWhenReady = false;
        this.readyEmitter.fire();
        return;
      case 'send': {
        const extras = await attachmentExtras(message.attachments ?? [], services.chat.status().session.images);
        if (extras.refused.length) {
          services.transcript.notice('warning', `Left out: ${extras.refused.join(', ')} (the agent takes no images, or the file is not in the workspace).`);
        }
        return services.chat.ask(message.text, selectionContext(), extras);
      }
      case 'setOption':
        return services.chat.setOption(message.configId, message.value);
      case 'mention': {
        const file = await pickWorkspaceFile();
        if (file) this.post({ type: 'mentioned', ...file });
        return;
      }
      case 'retry':
        return services.chat.retry();
      case 'pickModel':
        await vscode.commands.executeCommand('punie.pickModel');
        return;
      case 'clear':
        services.transcript.apply({ op: 'clear' });
        return;
      case 'cancel':
        await services.chat.cancel();
        return;
      case 'retryNow':
        return services.connection.retryNow();
      case 'newSession':
        return services.chat.newSession();
      case 'showLogs':
        return services.log.show();
      case 'permission':
        services.permissions.answer(message.id, message.optionId);
        return;
      case 'copy':
        return vscode.env.clipboard.writeText(message.text);
      case 'openLocation': {
        const uri = services.files.resolve(message.path, 'read');
        const line = Math.max(0, (message.line ?? 1) - 1);
        await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
        return;
      }
      case 'showTerminal':
        if (!services.terminals.show(message.terminalId)) void vscode.window.showInformationMessage('That command is no longer available.');
        return;
      case 'probeReport':
        this.probes.get(message.probeId)?.(message.report);
        this.probes.delete(message.probeId);
        return;
      case 'error':
        services.log.warn(`chat webview: ${message.message}`);
        return;
    }
  }

  private post(message: HostMessage): void {
    if (!this.view || !this.ready) return;
    void this.view.webview.postMessage(message);
  }
}
