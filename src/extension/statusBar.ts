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

  constructor(private readonly connection: Pick<Connection, 'state' | 'endpoint' | 'onDidChangeState'>) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('punie.status', vscode.StatusBarAlignment.Right, 100));
    this.item.name = 'Punie';
    this.item.command = 'punie.statusMenu';
    this.register(connection.onDidChangeState(() => this.render()));
    this.register({ dispose: () => clearInterval(this.ticker) });
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
