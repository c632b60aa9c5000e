/**
 * The chat's History (the view title's History action, as in Copilot Chat): a quick pick of the sessions of
 * this workspace's folders on the current server, newest first, with per-item Rename and Delete buttons. Opening
 * one replays it into the chat; a rename uses `_punie/set_session_title`; a delete asks first (modal).
 */
import * as vscode from 'vscode';
import { listSessionsOf, type ListedSession } from '../client/sessionList';
import { Methods } from '../protocol/acp';
import { SET_SESSION_TITLE } from '../protocol/punie';
import { runInBackground } from '../util/background';
import type { Logger } from '../util/logger';
import type { ChatController } from './chat';
import type { Connection } from './clientLifecycle';
import { describeFailure } from './failureText';
import { historyEntries } from './historyItems';
import { chatFolders } from './savedSession';

/** The most sessions the list shows (a few pages). */
const MAX_LISTED = 200;

interface SessionPick extends vscode.QuickPickItem {
  sessionId?: string;
  title?: string;
  newSession?: true;
}

const RENAME: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Rename' };
const DELETE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('trash'), tooltip: 'Delete' };

export class SessionHistory {
  constructor(
    private readonly chat: Pick<ChatController, 'openSession' | 'newSession' | 'deleted' | 'currentSessionId' | 'runningSessions'>,
    private readonly connection: Pick<Connection, 'ensure'>,
    private readonly log: Pick<Logger, 'warn'>,
    /** Sessions with a permission prompt waiting for the user. */
    private readonly waiting: () => ReadonlySet<string> = () => new Set(),
    private readonly now: () => number = Date.now,
  ) {}

  /** The workspace folders' sessions on the current server, newest first. */
  async list(): Promise<ListedSession[]> {
    return listSessionsOf(await this.connection.ensure(), chatFolders(), MAX_LISTED);
  }

  async rename(sessionId: string, title: string): Promise<void> {
    await (await this.connection.ensure()).request(SET_SESSION_TITLE, { sessionId, title });
  }

  /** Deletes a session (already confirmed); the chat starts over if it showed it. */
  async remove(sessionId: string): Promise<void> {
    await (await this.connection.ensure()).request(Methods.sessionDelete, { sessionId });
    await this.chat.deleted(sessionId);
  }

  /** The History quick pick; resolves when it is closed (after the session picked was opened). */
  async show(): Promise<void> {
    const pick = vscode.window.createQuickPick<SessionPick>();
    pick.title = 'Punie: History';
    pick.placeholder = 'Search conversations';
    pick.matchOnDescription = true;
    const refresh = async () => {
      pick.busy = true;
      try {
        const items = this.items(await this.list());
        pick.items = items;
        pick.activeItems = items.filter((i) => i.sessionId !== undefined && i.sessionId === this.chat.currentSessionId);
      } catch (err) {
        this.log.warn(`session/list failed: ${(err as Error).message}`);
        pick.items = [{ label: `$(error) Could not list the conversations: ${describeFailure(err as Error).text}`, alwaysShow: true }];
      } finally {
        pick.busy = false;
      }
    };
    // A rename input or delete dialog hides the quick pick for a while: that hide does not close the History.
    let acting = false;
    const closed = new Promise<SessionPick | undefined>((resolve) => {
      pick.onDidAccept(() => {
        resolve(pick.selectedItems[0]);
        pick.hide();
      });
      pick.onDidHide(() => {
        if (!acting) resolve(undefined);
      });
    });
    pick.onDidTriggerItemButton(({ item, button }) => {
      const { sessionId, title = '' } = item;
      if (!sessionId) return;
      const act = async () => {
        acting = true;
        let changed = false;
        try {
          changed = button === RENAME ? await this.askRename(sessionId, title) : await this.askDelete(sessionId, title);
        } finally {
          acting = false;
        }
        // Shown again, refreshed, after the input or dialog.
        pick.show();
        if (changed) await refresh();
      };
      runInBackground('a History action', act(), this.log);
    });
    pick.show();
    await refresh();
    const chosen = await closed;
    pick.dispose();
    if (chosen?.newSession) await this.chat.newSession();
    else if (chosen?.sessionId) await this.open(chosen.sessionId);
  }

  private items(sessions: readonly ListedSession[]): SessionPick[] {
    const items: SessionPick[] = [{ label: '$(add) New Session', alwaysShow: true, newSession: true }];
    const entries = historyEntries(sessions, { running: this.chat.runningSessions, waiting: this.waiting(), current: this.chat.currentSessionId, now: this.now() });
    for (const e of entries) {
      if (e.kind === 'group') items.push({ label: e.label, kind: vscode.QuickPickItemKind.Separator });
      else items.push({ label: e.label, description: e.description, sessionId: e.sessionId, title: e.title, buttons: [RENAME, DELETE] });
    }
    if (entries.length === 0) items.push({ label: 'No earlier conversations in this workspace', alwaysShow: true });
    return items;
  }

  private async open(sessionId: string): Promise<void> {
    try {
      await this.chat.openSession(sessionId);
    } catch (err) {
      this.log.warn(`opening session ${sessionId} failed: ${(err as Error).message}`);
      await vscode.window.showErrorMessage(`Punie: could not open the conversation: ${describeFailure(err as Error).text}`);
    }
  }

  private async askRename(sessionId: string, title: string): Promise<boolean> {
    const value = await vscode.window.showInputBox({
      title: 'Rename Conversation',
      value: title,
      validateInput: (v) => (v.trim() ? (v.trim().length > 200 ? 'At most 200 characters' : undefined) : 'The title cannot be empty'),
    });
    if (!value?.trim()) return false;
    return this.attempt('rename', () => this.rename(sessionId, value.trim()));
  }

  private async askDelete(sessionId: string, title: string): Promise<boolean> {
    const answer = await vscode.window.showWarningMessage(`Delete the conversation "${title}"?`, { modal: true, detail: 'It is removed from the server and cannot be restored.' }, 'Delete');
    if (answer !== 'Delete') return false;
    return this.attempt('delete', () => this.remove(sessionId));
  }

  private async attempt(what: string, action: () => Promise<void>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (err) {
      this.log.warn(`${what} of a session failed: ${(err as Error).message}`);
      await vscode.window.showErrorMessage(`Punie: could not ${what} the conversation: ${describeFailure(err as Error).text}`);
      return false;
    }
  }
}
