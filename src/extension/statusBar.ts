/** The status bar item: server mode and connection state (with a live countdown while reconnecting); a click opens the Punie menu. */
import * as vscode from 'vscode';
import type { ConnectionState } from '../client/types';
import { readConfig, type ServerMode } from './config';
import type { Connection } from './clientLifecycle';
import { statusBarText } from './connectionView';
import { Disposable } from './disposable';

export class StatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private waiting = 0;

  /** `approvals` fires with how many permission requests wait for the user: the item says so until they are answered. */
  constructor(
    private readonly connection: Pick<Connection, 'state' | 'endpoint' | 'onDidChangeState'>,
    approvals?: vscode.Event<number>,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('punie.status', vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'Punie';
    this.item.command = 'punie.statusMenu';
    this.register(connection.onDidChangeState(() => this.render()));
    this.register({ dispose: () => clearInterval(this.ticker) });
    if (approvals) {
      this.register(
        approvals((n) => {
          this.waiting = n;
          this.render();
        }),
      );
    }
    this.render();
    this.item.show();
  }

  /** What the item shows now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const state: ConnectionState = this.connection.state;
    const mode: ServerMode = this.connection.endpoint?.mode ?? readConfig().mode;
    const view = statusBarText(state, mode, Date.now());
    if (this.waiting > 0) {
      this.item.text = '$(shield) Punie: waiting for approval';
      this.item.tooltip = 'The agent waits for your answer in the Punie chat';
      this.item.command = 'punie.openChat';
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    this.item.command = 'punie.statusMenu';
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    const counting = state.kind === 'reconnecting';
    if (counting && !this.ticker) this.ticker = setInterval(() => this.render(), 1000);
    if (!counting && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}
