/**
 * The server's resource limits in one place: their validation, the per-connection settings derived from
 * them, and the refusals a client sees when one is reached (docs/limits.md lists them with defaults).
 */
import { MAX_REPORTED_ISSUES, describeIssues, type Issue } from '../protocol/issues';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { OutboundOptions } from './backpressure';
import type { ServerOptions } from './options';
import type { RateLimitOptions } from './rateLimit';
import type { SessionStore } from './sessions';


/**
 * Most values (objects, arrays, primitives) in the params of one inbound request. Validation cost grows
 * with every wrong value — zod builds an issue object for each — so a 16 MiB array of wrong items would
 * cost seconds and hundreds of MB; real ACP requests hold a few hundred values.
 */
export const MAX_PARAMS_VALUES = 20_000;

/** Window over which refused messages are counted towards the flood close. */
export const RATE_WINDOW_MS = 10_000;

/** What each connection needs from the server options. */
export interface ConnectionLimits {
  rate: RateLimitOptions;
  outbound: OutboundOptions;
  now: () => number;
}

export function connectionLimits(options: ServerOptions): ConnectionLimits {
  return {
    rate: {
      ratePerSecond: options.rateLimitPerSecond,
      burst: options.rateLimitBurst,
      maxRefused: options.rateLimitMaxRefused,
      windowMs: RATE_WINDOW_MS,
    },
    outbound: {
      highWatermark: options.outboundHighWatermark,
      lowWatermark: options.outboundLowWatermark,
      backlogCap: options.slowClientBacklogBytes,
      backlogTimeoutMs: options.slowClientTimeoutMs,
      backlogMax: options.slowClientMaxBacklogBytes,
    },
    now: options.now,
  };
}

/** Throws on limits that contradict each other, naming the options to fix. */
export function checkLimits(options: ServerOptions): void {
  const positive: (keyof ServerOptions)[] = ['maxConnections', 'maxSessionsPerClient', 'maxSessions', 'maxFragments', 'maxBufferedChunks', 'outboundHighWatermark'];
  for (const key of positive) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`Server option ${key} must be a positive integer, got ${String(value)}`);
  }
  if (!(options.rateLimitPerSecond >= 0)) throw new Error(`Server option rateLimitPerSecond must be 0 (off) or more, got ${options.rateLimitPerSecond}`);
  if (options.rateLimitPerSecond > 0 && options.rateLimitBurst < 1) throw new Error('Server option rateLimitBurst must be at least 1 when a rate limit is set');
  if (options.outboundLowWatermark > options.outboundHighWatermark) {
    throw new Error(`outboundLowWatermark (${options.outboundLowWatermark}) must not exceed outboundHighWatermark (${options.outboundHighWatermark})`);
  }
  if (options.slowClientBacklogBytes > options.slowClientMaxBacklogBytes) {
    throw new Error(`slowClientBacklogBytes (${options.slowClientBacklogBytes}) must not exceed slowClientMaxBacklogBytes (${options.slowClientMaxBacklogBytes})`);
  }
}

/** Why an upgrade is refused for capacity, or undefined if there is room. */
export function connectionRefusal(open: number, options: Pick<ServerOptions, 'maxConnections'>): string | undefined {
  if (open < options.maxConnections) return undefined;
  return `too many connections: this server accepts ${options.maxConnections} at once (--max-connections); close another client and retry`;
}

/** The -32602 error for params that failed validation: the first issues, and how many there were. */
export function invalidParams(method: string, issues: readonly Issue[]): RpcError {
  const shown = issues.slice(0, MAX_REPORTED_ISSUES);
  const data = issues.length > shown.length ? { issues: shown, issueCount: issues.length } : { issues: shown };
  return new RpcError(ErrorCodes.InvalidParams, `Invalid params for ${method}: ${describeIssues(issues, '(params)')}`, data);
}

/** Throws the -32030 error `session/new` answers when a session limit is reached. */
export function ensureSessionCapacity(store: SessionStore, clientId: string, options: Pick<ServerOptions, 'maxSessionsPerClient' | 'maxSessions'>): void {
  const own = store.list(clientId).length;
  if (own >= options.maxSessionsPerClient) {
    throw new RpcError(
      ErrorCodes.LimitExceeded,
      `this connection already has ${own} sessions, the most allowed (--max-sessions-per-client ${options.maxSessionsPerClient}); close one with session/close and retry`,
      { limit: 'maxSessionsPerClient', max: options.maxSessionsPerClient },
    );
  }
  if (store.sessionCount >= options.maxSessions) {
    throw new RpcError(
      ErrorCodes.LimitExceeded,
      `the server already holds ${store.sessionCount} sessions, the most allowed (--max-sessions ${options.maxSessions}); sessions of disconnected clients expire after the grace period`,
      { limit: 'maxSessions', max: options.maxSessions },
    );
  }
}
