/**
 * Everything behind the commands and the chat view, built on first use. It is its own bundle (dist/core.js),
 * loaded by the activation shell only then, so activating the extension loads almost no code. Each part is
 * handed what it uses; nothing reaches back into this object.
 */
import type * as vscode from 'vscode';
import { ModelRegistry } from '../agent/models/registry';
import { ChatViewProvider, ChatVisibility } from './chatView';
import { createClient } from './clientFactory';
import { commandHandlers, type CommandHandlers } from './commands';
import { registerVsCodeLanguageModels } from './languageModel';
import { createLog } from './log';
import { Services } from './services';

export interface Core {
  services: Services;
  view: ChatViewProvider;
  commands: CommandHandlers;
  /** Saves the transcript and resolves once the connection and the local server are closed. */
  shutdown(): Promise<void>;
}

/** The in-process server's models: the built-in ones plus `vscode-lm[:family]` through VS Code's Language Model API. */
function createModels(): ModelRegistry {
  const models = new ModelRegistry();
  registerVsCodeLanguageModels(models);
  return models;
}

export function createCore(context: vscode.ExtensionContext, activationMs: number): Core {
  const started = performance.now();
  const log = createLog();
  const visibility = new ChatVisibility();
  const services = new Services({ context, log, createClient, createModels, chatVisible: () => visibility.visible });
  const view = new ChatViewProvider(context.extensionUri, services, visibility);
  context.subscriptions.push(view, services, log);
  log.info(`activated in ${activationMs.toFixed(1)} ms; core ready in ${(performance.now() - started).toFixed(1)} ms on first use`);
  return {
    services,
    view,
    commands: commandHandlers({ chat: services.chat, connection: services.connection, servers: services.servers, log, view, history: services.history }),
    async shutdown() {
      view.dispose();
      await services.shutdown();
    },
  };
}
