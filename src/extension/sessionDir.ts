/**
 * Where the local server keeps its sessions: under the extension's global storage (it survives reloads,
 * restarts and updates), one dir per workspace. One server owns a data dir, and every window runs its own
 * local server: a dir per workspace lets two windows on different workspaces both keep their sessions. A
 * multi-root workspace saved as a .code-workspace file is known by that file, so adding, removing or
 * reordering its folders keeps its history; otherwise a workspace is known by its (first) folder.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export function sessionDataDir(globalStorage: string, workspace: string | undefined): string {
  const key = workspace === undefined ? 'no-folder' : createHash('sha256').update(workspace).digest('hex').slice(0, 16);
  return join(globalStorage, 'sessions', key);
}

/** What identifies the workspace: its saved .code-workspace file, else its first folder (both as paths). */
export function workspaceIdentity(workspaceFile: { scheme: string; fsPath: string } | undefined, folders: readonly string[]): string | undefined {
  return workspaceFile?.scheme === 'file' ? workspaceFile.fsPath : folders[0];
}
