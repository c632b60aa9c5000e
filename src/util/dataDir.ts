/** Where Punie keeps its sessions by default: the platform's user data dir (or $PUNIE_DATA_DIR). */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.PUNIE_DATA_DIR) return env.PUNIE_DATA_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'punie');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'punie');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'punie');
}
