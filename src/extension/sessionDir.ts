/**
 * Where the local server keeps its sessions: under the extension's global storage (it survives reloads,
 * restarts and updates), one dir per workspace folder. One server owns a data dir, and every window runs its
 * own local server: a dir per folder lets two windows on different folders both keep their sessions.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export function sessionDataDir(globalStorage: string, folder: string | undefined): string {
  const key = folder === undefined ? 'no-folder' : createHash('sha256').update(folder).digest('hex').slice(0, 16);
  return join(globalStorage, 'sessions', key);
}
