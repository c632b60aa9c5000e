/**
 * What the extension exports outside production (development and test runs): handles for the integration
 * suite in test/vscode. Production activations export nothing.
 */
import type { RenderReport } from '../webview/protocol';
import type { ChatViewProvider } from './chatView';
import type { Core } from './core';
import type { Services } from './services';

export interface PunieTestApi {
  /** How long `activate` took, in ms. */
  readonly activationMs: number;
  /** Whether the core (server host, connection, chat) was loaded yet; false until first use. */
  readonly coreLoaded: boolean;
  services(): Services;
  readonly view: ChatViewProvider;
  /** What the chat webview rendered (waits for it to load first). */
  probe(): Promise<RenderReport>;
  /** Clicks an option of a permission card in the chat webview. */
  choosePermission(id: string, optionId: string): Promise<void>;
  /** Runs an agent→client request (fs, terminal, permission) through the extension's handler. */
  agentRequest(method: string, params: unknown, signal?: AbortSignal): Promise<unknown>;
}

export function createTestApi(activationMs: number, core: () => Core, isLoaded: () => boolean): PunieTestApi {
  return {
    activationMs,
    get coreLoaded() {
      return isLoaded();
    },
    services: () => core().services,
    get view() {
      return core().view;
    },
    async probe() {
      await core().view.whenReady(20_000);
      return core().view.probe();
    },
    async choosePermission(id, optionId) {
      await core().view.whenReady(20_000);
      core().view.choosePermission(id, optionId);
    },
    agentRequest: (method, params, signal) => core().services.agentRequests(method, params, signal ?? new AbortController().signal),
  };
}
