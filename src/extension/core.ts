/**
 * Everything behind the commands and the chat view, built on first use. It is its own bundle (dist/core.js),
 * loaded by the activation shell only then, so activating the extension loads almost no code.
 */
import type * as vscode from 'vscode';
import { ModelRegistry } from '../agent/models/registry';
import { ChatViewProvider } from './chatView';
import { createClient } from './clientFactory';
import { commandHandlers, type CommandHandlers } from './commands';
import { registerVsCodeLanguageModels } from './languageModel';
import { createLog } from './log';
import { Services } from './services';

export interface Core {
  services: Services;
  view: ChatViewProvider;
  commands: CommandHandlers;
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
  const view: ChatViewProvider = new ChatViewProvider(context.extensionUri, () => services);
  const services: Services = new Services({ context, log, createClient, createModels, chatVisible: () => view.visible });
  view.attach(services);
  context.subscriptions.push(log, view, services);
  log.info(`activated in ${activationMs.toFixed(1)} ms; core ready in ${(performance.now() - started).toFixed(1)} ms on first use`);
  return { services, view, commands: commandHandlers(() => services, view) };
}
