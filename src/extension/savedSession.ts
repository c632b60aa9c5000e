/**
 * Which session the chat of this workspace shows, kept so a window reload reattaches to it (the server's log
 * holds the conversation; this is only the pointer to it), and the folder its sessions belong to. The pointer
 * is a small file in the workspace's extension storage, not workspaceState: a browser window (code-server,
 * vscode.dev) may reload before its state storage is flushed, and the pointer must survive exactly that.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';

/** `server`: "local", or the remote server's URL — a session is only looked for on the server it lives on. */
const Saved = z.object({ sessionId: z.string().min(1).max(256), cwd: z.string().max(4096), server: z.string().max(4096) });
export type SavedSession = z.infer<typeof Saved>;

export class SavedSessionPointer {
  private current: SavedSession | undefined;
  /** Writes in the order they were asked for: the newest pointer is the one left on disk. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly file: string) {
    this.current = readPointer(file);
  }

  get(): SavedSession | undefined {
    return this.current;
  }

  set(saved: SavedSession | undefined): Promise<void> {
    this.current = saved;
    const text = JSON.stringify(saved ?? null);
    // A failed write does not stop the later ones (the caller hears of its own failure).
    this.writing = this.writing.catch(() => undefined).then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, this.file);
    });
    return this.writing;
  }
}

function readPointer(file: string): SavedSession | undefined {
  try {
    const parsed = Saved.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The working directory of a new session: the first workspace folder (ACP gives a session one cwd; the file
 * tools still reach every folder of a multi-root workspace).
 */
export function chatCwd(): string {
  return chatFolders()[0];
}

/** The folders whose sessions the History lists: every folder of the workspace, or the home dir without one. */
export function chatFolders(): string[] {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return folders.length > 0 ? folders : [homedir()];
}

/** Which server a session lives on: the local one (whatever its port this time), or a remote one by URL. */
export function serverKey(endpoint: { mode: 'local' | 'remote'; url: string } | undefined): string | undefined {
  return endpoint && (endpoint.mode === 'local' ? 'local' : endpoint.url);
}
