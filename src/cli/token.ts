/**
 * Where the CLI's server token comes from: `--token`, `--token-file` (keeps it out of the process list),
 * `$PUNIE_TOKEN`, or for `punie serve` a generated one kept in a user-only file (0600) under the user's
 * config dir, so that a server on loopback is never open to every local process (CVE-2025-52882).
 */
import { randomToken } from '../util/randomToken';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './args';

export type Env = Record<string, string | undefined>;

export interface TokenSource {
  token?: string;
  tokenFile?: string;
}


/** The token the user gave: the flag, the file, then the environment. */
export function givenToken(source: TokenSource, env: Env = process.env): string | undefined {
  if (source.token !== undefined && source.tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (source.tokenFile !== undefined) return readTokenFile(source.tokenFile);
  return source.token ?? (env.PUNIE_TOKEN || undefined);
}

export function readTokenFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${path}: ${(err as Error).message}`);
  }
  const token = text.trim();
  if (!token) throw new UsageError(`--token-file ${path} is empty`);
  return token;
}

/** `$XDG_CONFIG_HOME/punie`, `~/Library/Application Support/punie` or `%APPDATA%\punie`. */
export function configDir(env: Env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'punie');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'punie');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'punie');
}

/** The stored server token (created on first use); refuses one that other users could read. */
export function storedServerToken(dir: string): { token: string; path: string; created: boolean } {
  const path = join(dir, 'server-token');
  try {
    const mode = statSync(path).mode;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new UsageError(`${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}, or delete it to get a new token`);
    }
    return { token: readTokenFile(path), path, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const token = randomToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the umask cannot widen it
  return { token, path, created: true };
}
