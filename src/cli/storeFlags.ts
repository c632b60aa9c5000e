/**
 * `punie serve --store redis://…`: fleet mode. The Redis password comes from `--redis-password-file` or
 * `$PUNIE_REDIS_PASSWORD`, never from the command line or the URL (process lists and shell history show
 * those).
 */
import { readFileSync } from 'node:fs';
import { checkRedisUrl, type RedisTarget } from '../store/redisConnection';
import { UsageError } from './args';

type Env = Record<string, string | undefined>;

export function storeTarget(store: string | undefined, passwordFile: string | undefined, env: Env = process.env): RedisTarget | undefined {
  if (store === undefined) {
    if (passwordFile !== undefined) throw new UsageError('--redis-password-file needs --store redis://…');
    return undefined;
  }
  const problem = checkRedisUrl(store);
  if (problem) throw new UsageError(`--store ${problem}`);
  return { url: store, password: passwordFile === undefined ? env.PUNIE_REDIS_PASSWORD || undefined : readPassword(passwordFile) };
}

function readPassword(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--redis-password-file ${path}: ${(err as Error).message}`);
  }
  const password = text.trim();
  if (!password) throw new UsageError(`--redis-password-file ${path} is empty`);
  return password;
}
