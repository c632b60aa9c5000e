/** What the status bar menu offers in each situation (kept free of `vscode` so it is unit-tested). */
import type { ConnectionState } from '../client/types';
import type { ServerMode } from './config';

export interface MenuItem {
  label: string;
  command: string;
}

export function statusMenuItems(state: ConnectionState['kind'], mode: ServerMode, busy: boolean): MenuItem[] {
  const items: MenuItem[] = [
    { label: '$(comment-discussion) Open Chat', command: 'punie.openChat' },
    { label: '$(question) Ask…', command: 'punie.ask' },
  ];
  if (busy) items.push({ label: '$(debug-stop) Cancel the running answer', command: 'punie.cancel' });
  if (state !== 'connected') items.push({ label: '$(refresh) Reconnect Now', command: 'punie.reconnect' });
  if (mode === 'local') {
    items.push({ label: '$(debug-restart) Restart Local Server', command: 'punie.restartLocalServer' });
    items.push({ label: '$(remote) Connect to Remote Server…', command: 'punie.connectRemote' });
  } else {
    items.push({ label: '$(home) Use Local Server', command: 'punie.useLocal' });
    items.push({ label: '$(remote) Change Remote Server…', command: 'punie.connectRemote' });
  }
  items.push({ label: '$(add) New Session', command: 'punie.newSession' }, { label: '$(output) Show Logs', command: 'punie.showLogs' });
  return items;
}
