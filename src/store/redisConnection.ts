/**
 * The Redis connections of a fleet server: commands, a subscriber and a blocking reader, each its own
 * connection (node-redis needs one per blocking or subscribed use). They reconnect by themselves with a
 * capped, jittered backoff; an outage and the return are each logged once, and commands fail fast while
 * the connection is down (no offline queue) so the store keeps its own bounded buffer instead.
 */
import { createClient, type RedisClientType } from 'redis';
import type { Logger } from '../util/logger';

export type RedisClient = RedisClientType;

export interface RedisTarget {
  /** `redis://host:port/db` or `rediss://…` (TLS); a password never comes in the URL. */
  url: string;
  password?: string;
}

/** A server does not start without its store: the first connect gives up after this long. */
const FIRST_CONNECT_MS = 10_000;

/** Backoff of reconnect attempts: 100 ms doubling to 2 s, with up to 20% jitter. */
export function reconnectDelay(retries: number, random = Math.random): number {
  const base = Math.min(100 * 2 ** retries, 2000);
  return Math.round(base * (1 + random() * 0.2));
}

/** Checks a `--store` URL: redis:// or rediss://, a host, no credentials in it. */
export function checkRedisUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: ${url}`;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return `must start with redis:// or rediss://`;
  if (!parsed.hostname) return 'names no host';
  if (parsed.password || parsed.username) return 'must not hold a user name or password (they would show in process lists): use PUNIE_REDIS_PASSWORD or --redis-password-file';
  if (parsed.pathname !== '' && parsed.pathname !== '/' && !/^\/\d{1,2}$/.test(parsed.pathname)) return 'the path must be a database number (redis://host:port/0)';
  return undefined;
}

/** The URL without anything secret, for logs and /health. */
export function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/**
 * Opens one connection named `role` (for the logs). `onState` hears every change between ready and down.
 * The first connect is awaited; a Redis that is down at start is an error the caller reports.
 */
export async function connectRedis(target: RedisTarget, role: string, logger: Logger, onState?: (ready: boolean) => void): Promise<RedisClient> {
  const client: RedisClient = createClient({
    url: target.url,
    password: target.password,
    disableOfflineQueue: true,
    pingInterval: 5000,
    socket: { reconnectStrategy: (retries: number) => reconnectDelay(retries), connectTimeout: 5000 },
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (down) return;
    down = true;
    logger.error(`redis (${role}) ${describeTarget(target.url)} unavailable: ${err.message}; retrying with backoff`);
    onState?.(false);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info(`redis (${role}) ${describeTarget(target.url)} is back`);
    onState?.(true);
  });
  try {
    await withTimeout(client.connect(), FIRST_CONNECT_MS);
  } catch (err) {
    client.destroy();
    throw new Error(`cannot reach Redis at ${describeTarget(target.url)}: ${(err as Error).message}`);
  }
  return client;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
