/**
 * Which session the chat of this workspace shows, kept in workspaceState so a window reload reattaches to
 * it (the server's log holds the conversation; this is only the pointer to it), and the folder its sessions
 * belong to.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { z } from 'zod';

const KEY = 'punie.chat.session.v1';
/** `server`: "local", or the remote server's URL — a session is only looked for on the server it lives on. */
const Saved = z.object({ sessionId: z.string().min(1).max(256), cwd: z.string().max(4096), server: z.string().max(4096) });
export type SavedSession = z.infer<typeof Saved>;

export class SavedSessionPointer {
  constructor(private readonly memento: Pick<vscode.Memento, 'get' | 'update'>) {}

  get(): SavedSession | undefined {
    const parsed = Saved.safeParse(this.memento.get<unknown>(KEY));
    return parsed.success ? parsed.data : undefined;
  }

  set(saved: SavedSession | undefined): Thenable<void> {
    return this.memento.update(KEY, saved);
  }
}

/** The working directory of the chat's sessions: the first workspace folder (sessions are listed per folder). */
export function chatCwd(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir();
}

/** Which server a session lives on: the local one (whatever its port this time), or a remote one by URL. */
export function serverKey(endpoint: { mode: 'local' | 'remote'; url: string } | undefined): string | undefined {
  return endpoint && (endpoint.mode === 'local' ? 'local' : endpoint.url);
}
