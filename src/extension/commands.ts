/**
 * What the Punie commands do. They are registered at activation (extension.ts) and always work: when there
 * is nothing to act on (no running turn, not connected, remote mode) they say so instead of failing silently.
 */
import * as vscode from 'vscode';
import type { AskContext } from './chat';
import { pickModel } from './mentions';
import type { ChatViewProvider } from './chatView';
import { checkServerUrl, readConfig, SECTION } from './config';
import type { Services } from './services';
import { statusMenuItems } from './statusMenuItems';

export type CommandHandlers = Record<string, (...args: unknown[]) => unknown>;

export function commandHandlers(services: () => Services, view: ChatViewProvider): CommandHandlers {
  return {
    'punie.ask': async (question?: unknown) => {
      const context = selectionContext();
      const text = await argumentOrInput(question, {
        title: 'Punie: Ask',
        prompt: context ? `Ask about ${context.label}` : 'Ask Punie about your code',
        placeHolder: 'What does this function do?',
      });
      if (!text?.trim()) return;
      await view.reveal(false);
      await services().chat.ask(text.trim(), context);
    },
    'punie.openChat': () => view.reveal(true),
    'punie.pickModel': async () => {
      const { model } = services().chat.status().session;
      const value = await pickModel(model.options, model.current);
      if (value) await services().chat.setOption('model', value);
    },
    'punie.newSession': async () => {
      await services().chat.newSession();
      await view.reveal(true);
    },
    'punie.cancel': async () => {
      if (!(await services().chat.cancel())) void vscode.window.showInformationMessage('Punie: nothing to cancel; no question is running.');
    },
    'punie.connectRemote': (url?: unknown, token?: unknown) => connectRemote(services(), url, token),
    'punie.useLocal': async () => {
      await vscode.workspace.getConfiguration(SECTION).update('server.mode', 'local', vscode.ConfigurationTarget.Global);
      void vscode.window.showInformationMessage('Punie now uses the local server, started on your next question.');
    },
    'punie.reconnect': () => {
      const s = services();
      if (s.connection.state.kind === 'connected') void vscode.window.showInformationMessage('Punie is already connected.');
      else s.connection.retryNow();
    },
    'punie.restartLocalServer': async () => {
      if (readConfig().mode !== 'local') {
        void vscode.window.showInformationMessage('Punie uses a remote server; run "Punie: Use Local Server" to switch to the local one.');
        return;
      }
      await services().restartLocalServer();
    },
    'punie.showLogs': () => services().log.show(),
    'punie.copyLocalServerInfo': async () => {
      const local = services().servers.localUrls;
      if (!local) {
        void vscode.window.showInformationMessage('The local Punie server is not running. It starts with your first question.');
        return;
      }
      await vscode.env.clipboard.writeText(`PUNIE_TOKEN=${local.token} punie ask --server ${local.urls.ws} "…"`);
      void vscode.window.showInformationMessage('Copied a punie command line with the local server URL and token (keep the token private).');
    },
    'punie.statusMenu': () => statusMenu(services()),
  };
}

/** The active editor's selection, sent with the question. */
export function selectionContext(): AskContext | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) return undefined;
  const { start, end } = editor.selection;
  const name = vscode.workspace.asRelativePath(editor.document.uri);
  return {
    uri: editor.document.uri.toString(),
    label: `the selection in ${name}:${start.line + 1}-${end.line + 1}`,
    text: editor.document.getText(editor.selection),
    languageId: editor.document.languageId,
  };
}

/** The command's string argument (tests, other extensions), else what the user types; undefined if dismissed. */
async function argumentOrInput(arg: unknown, options: vscode.InputBoxOptions): Promise<string | undefined> {
  return typeof arg === 'string' ? arg : vscode.window.showInputBox({ ...options, ignoreFocusOut: true });
}

async function connectRemote(services: Services, urlArg: unknown, tokenArg: unknown): Promise<void> {
  const config = readConfig();
  const url = await argumentOrInput(urlArg, {
    title: 'Punie: Connect to Remote Server (1/2)',
    prompt: 'The server URL, as printed by "punie serve"',
    value: config.remoteUrl,
    validateInput: (v) => checkServerUrl(v.trim()),
  });
  if (url === undefined) return;
  const problem = checkServerUrl(url.trim());
  if (problem) {
    void vscode.window.showErrorMessage(`Punie: ${problem}`);
    return;
  }
  const token = await argumentOrInput(tokenArg, {
    title: 'Punie: Connect to Remote Server (2/2)',
    prompt: 'The server token (stored in VS Code secret storage). Leave empty if the server needs none.',
    password: true,
  });
  if (token === undefined) return;
  await services.servers.setRemoteToken(url.trim(), token.trim() || undefined);
  const settings = vscode.workspace.getConfiguration(SECTION);
  await settings.update('server.url', url.trim(), vscode.ConfigurationTarget.Global);
  await settings.update('server.mode', 'remote', vscode.ConfigurationTarget.Global);
  // The token may have changed while the URL did not: rebuild the connection either way.
  await services.applyServerSettings();
}

async function statusMenu(services: Services): Promise<void> {
  const state = services.connection.state.kind;
  const mode = readConfig().mode;
  const items = statusMenuItems(state, mode, services.chat.busy);
  const choice = await vscode.window.showQuickPick(items, { title: `Punie (${mode} server: ${state})` });
  if (choice) await vscode.commands.executeCommand(choice.command);
}
