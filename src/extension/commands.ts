/**
 * What the Punie commands do. They are registered at activation (extension.ts) and always work: when there
 * is nothing to act on (no running turn, not connected, remote mode) they say so instead of failing silently.
 */
import * as vscode from 'vscode';
import { runInBackground } from '../util/background';
import type { ChatController } from './chat';
import { pickModel } from './mentions';
import { selectionContext } from './selection';
import type { ChatViewProvider } from './chatView';
import { readConfig, SECTION } from './config';
import type { Connection } from './clientLifecycle';
import type { CommandId } from './ids';
import type { PunieLog } from './log';
import type { ServerHost } from './serverHost';
import type { SessionHistory } from './sessionHistory';
import { checkServerUrl } from './serverUrl';
import { statusMenuItems } from './statusMenuItems';

/** One handler per contributed command: a command id without a handler does not compile. */
export type CommandHandlers = { readonly [K in CommandId]: (...args: unknown[]) => unknown };

/** What the commands use of the rest. */
export interface CommandDeps {
  chat: Pick<ChatController, 'ask' | 'newSession' | 'cancel' | 'busy' | 'status' | 'setOption'>;
  connection: Pick<Connection, 'state' | 'retryNow' | 'reconfigure'>;
  servers: Pick<ServerHost, 'localUrls' | 'setRemoteToken'>;
  log: Pick<PunieLog, 'show' | 'warn'>;
  view: Pick<ChatViewProvider, 'reveal'>;
  history: Pick<SessionHistory, 'show'>;
}

function inform(message: string, log: CommandDeps['log']): void {
  runInBackground('a notification', vscode.window.showInformationMessage(message), log);
}

export function commandHandlers(deps: CommandDeps): CommandHandlers {
  const { chat, connection, servers, log, view, history } = deps;
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
      await chat.ask(text.trim(), context);
    },
    'punie.openChat': () => view.reveal(true),
    'punie.pickModel': async () => {
      const { model } = chat.status().session;
      const value = await pickModel(model.options, model.current);
      if (value) await chat.setOption('model', value);
    },
    'punie.newSession': async () => {
      await chat.newSession();
      await view.reveal(true);
    },
    'punie.showHistory': async () => {
      await view.reveal(false);
      await history.show();
    },
    'punie.cancel': async () => {
      if (!(await chat.cancel())) inform('Punie: nothing to cancel; no question is running.', log);
    },
    'punie.connectRemote': (url?: unknown, token?: unknown) => connectRemote(deps, url, token),
    'punie.useLocal': async () => {
      const wasLocal = readConfig().mode === 'local';
      await vscode.workspace.getConfiguration(SECTION).update('server.mode', 'local', vscode.ConfigurationTarget.Global);
      // Already local (the setting did not change): still drop whatever the connection is stuck on.
      if (wasLocal) await connection.reconfigure();
      inform('Punie now uses the local server.', log);
    },
    'punie.reconnect': () => {
      if (connection.state.kind === 'connected') inform('Punie is already connected.', log);
      else connection.retryNow();
    },
    'punie.restartLocalServer': async () => {
      if (readConfig().mode !== 'local') {
        inform('Punie uses a remote server; run "Punie: Use Local Server" to switch to the local one.', log);
        return;
      }
      await connection.reconfigure({ connect: true, restartLocal: true });
    },
    'punie.showLogs': () => log.show(),
    'punie.copyLocalServerInfo': async () => {
      const local = servers.localUrls;
      if (!local) {
        inform('The local Punie server is not running. It starts with your first question.', log);
        return;
      }
      await vscode.env.clipboard.writeText(`PUNIE_TOKEN=${local.token} punie ask --server ${local.urls.ws} "…"`);
      inform('Copied a punie command line with the local server URL and token (keep the token private).', log);
    },
    'punie.statusMenu': () => statusMenu(deps),
  };
}


/** The command's string argument (tests, other extensions), else what the user types; undefined if dismissed. */
async function argumentOrInput(arg: unknown, options: vscode.InputBoxOptions): Promise<string | undefined> {
  return typeof arg === 'string' ? arg : vscode.window.showInputBox({ ...options, ignoreFocusOut: true });
}

/** Asks for the URL (unless given) and the token, stores them and connects now: the server is checked first and a problem is shown at once. */
async function connectRemote({ servers, connection }: CommandDeps, urlArg: unknown, tokenArg: unknown): Promise<void> {
  const config = readConfig();
  const url = await argumentOrInput(urlArg, {
    title: 'Punie: Connect to Remote Server (1/2)',
    prompt: 'The server URL, as printed by "punie serve"',
    value: config.remoteUrl,
    validateInput: (v) => checkServerUrl(v.trim(), config.allowInsecureRemote),
  });
  if (url === undefined) return;
  const problem = checkServerUrl(url.trim(), config.allowInsecureRemote);
  if (problem) {
    runInBackground('a notification', vscode.window.showErrorMessage(`Punie: ${problem}`));
    return;
  }
  const token = await argumentOrInput(tokenArg, {
    title: 'Punie: Connect to Remote Server (2/2)',
    prompt: 'The server token (stored in VS Code secret storage). Leave empty if the server needs none.',
    password: true,
  });
  if (token === undefined) return;
  await servers.setRemoteToken(url.trim(), token.trim() || undefined);
  const settings = vscode.workspace.getConfiguration(SECTION);
  await settings.update('server.url', url.trim(), vscode.ConfigurationTarget.Global);
  await settings.update('server.mode', 'remote', vscode.ConfigurationTarget.Global);
  // The token may have changed while the URL did not, and nothing may have been connected: connect now either way.
  await connection.reconfigure({ connect: true });
}

async function statusMenu({ connection, chat }: CommandDeps): Promise<void> {
  const state = connection.state.kind;
  const mode = readConfig().mode;
  const items = statusMenuItems(state, mode, chat.busy);
  const choice = await vscode.window.showQuickPick(items, { title: `Punie (${mode} server: ${state})` });
  if (choice) await vscode.commands.executeCommand(choice.command);
}
