/** How a connection state reads in the chat banner and the status bar. Plain code, no vscode. */
import type { ConnectionState } from '../client/types';
import type { ConnectionView } from '../webview/protocol';
import type { ServerMode } from './config';

export function connectionView(state: ConnectionState, mode: ServerMode, sessionExpired: boolean, now: number): ConnectionView {
  const base = { mode, sessionExpired, detail: '' };
  switch (state.kind) {
    case 'idle':
      return { ...base, status: 'idle' };
    case 'connecting':
      return { ...base, status: 'connecting', detail: state.attempt > 1 ? `attempt ${state.attempt}` : '' };
    case 'connected':
      return { ...base, status: 'connected', detail: state.serverName };
    case 'reconnecting':
      return { ...base, status: 'reconnecting', retryInMs: Math.max(0, state.retryAt - now), detail: clip(state.lastError) };
    case 'failed':
      return { ...base, status: 'failed', detail: clip(state.reason) };
    case 'closed':
      return { ...base, status: 'offline', detail: clip(state.reason) };
  }
}

export interface StatusBarText {
  text: string;
  tooltip: string;
  /** A warning or error background for states that need attention. */
  severity: 'none' | 'warning' | 'error';
}

export function statusBarText(state: ConnectionState, mode: ServerMode, now: number): StatusBarText {
  const where = mode === 'local' ? 'local' : 'remote';
  switch (state.kind) {
    case 'idle':
      return { text: `$(comment-discussion) Punie (${where})`, tooltip: 'Punie: not connected yet. It connects on your first question.', severity: 'none' };
    case 'connecting':
      return { text: `$(loading~spin) Punie (${where}): connecting`, tooltip: 'Punie: connecting…', severity: 'none' };
    case 'connected':
      return { text: `$(comment-discussion) Punie (${where}): connected`, tooltip: `Punie: connected to ${state.serverName}`, severity: 'none' };
    case 'reconnecting': {
      const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
      return {
        text: `$(sync~spin) Punie (${where}): reconnecting in ${seconds}s`,
        tooltip: `Punie: connection lost (${clip(state.lastError)}). Click to retry now or change the server.`,
        severity: 'warning',
      };
    }
    case 'failed':
      return { text: `$(error) Punie (${where}): failed: ${clip(state.reason, 40)}`, tooltip: `Punie: failed: ${clip(state.reason)}`, severity: 'error' };
    case 'closed':
      return { text: `$(debug-disconnect) Punie (${where}): offline`, tooltip: `Punie: offline (${clip(state.reason)})`, severity: 'warning' };
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
