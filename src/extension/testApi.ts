/**
 * What the extension exports outside production (development and test runs): handles for the integration
 * suite in test/vscode. Production activations export nothing.
 */
import type { RenderReport } from '../webview/protocol';
import type { ChatViewProvider } from './chatView';
import type { Services } from './services';

export interface PunieTestApi {
  /** How long `activate` took, in ms. */
  readonly activationMs: number;
  /** Whether the services (server host, connection, chat) exist yet; false until first use. */
  readonly servicesCreated: boolean;
  services(): Services;
  readonly view: ChatViewProvider;
  /** What the chat webview rendered (waits for it to load first). */
  probe(): Promise<RenderReport>;
  /** Runs an agent→client request (fs, terminal, permission) through the extension's handler. */
  agentRequest(method: string, params: unknown, signal?: AbortSignal): Promise<unknown>;
}

export function createTestApi(activationMs: number, services: () => Services, isCreated: () => boolean, view: ChatViewProvider): PunieTestApi {
  return {
    activationMs,
    get servicesCreated() {
      return isCreated();
    },
    services,
    view,
    async probe() {
      await view.whenReady(20_000);
      return view.probe();
    },
    agentRequest: (method, params, signal) => services().agentRequests(method, params, signal ?? new AbortController().signal),
  };
}
