/**
 * Activation is wiring only and starts nothing: it registers the commands and the chat view, whose code
 * (dist/core.js: server, client, chat) is loaded and built the first time one of them is used.
 */
import * as vscode from 'vscode';
import type { Core } from './core';
import { CHAT_VIEW_ID, COMMAND_IDS } from './ids';
import { createTestApi, type PunieTestApi } from './testApi';

let core: Core | undefined;

export function activate(context: vscode.ExtensionContext): PunieTestApi | undefined {
  const started = performance.now();
  const load = (): Core => {
    // A separate bundle, kept out of this one by esbuild (external), so activation does not pay for it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    core ??= (require('./core.js') as typeof import('./core')).createCore(context, activationMs);
    return core;
  };
  for (const id of COMMAND_IDS) context.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => load().commands[id](...args)));
  context.subscriptions.push(vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, { resolveWebviewView: (view) => load().view.resolveWebviewView(view) }));
  const activationMs = performance.now() - started;
  if (context.extensionMode === vscode.ExtensionMode.Production) return undefined;
  return createTestApi(activationMs, load, () => core !== undefined);
}

/**
 * Saves the transcript (shown again next time) and waits until the local server has closed, so a reload
 * never finds its port still taken (vscode-eslint returns `client.stop()` the same way).
 */
export function deactivate(): Promise<void> | undefined {
  const closing = core?.shutdown();
  core = undefined;
  return closing;
}
