/**
 * The server's resource limits in one place: their validation, the per-connection settings derived from
 * them, and the refusals a client sees when one is reached (docs/limits.md lists them with defaults).
 */
import { summarizeIssues, type Issue } from '../protocol/issues';
import { ErrorCodes, RpcError } from '../protocol/jsonrpc';
import type { OutboundOptions } from './outboundQueue';
import type { ServerLimitKey } from './limitTable';
import type { RateLimitOptions } from './rateLimit';

/** The limit values of the server options (ServerOptions has them all). */
export type ServerLimits = Record<ServerLimitKey, number>;

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

export function connectionLimits(options: ServerLimits & { now: () => number }): ConnectionLimits {
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
export function checkLimits(options: ServerLimits): void {
  const positive: ServerLimitKey[] = ['maxConnections', 'maxSessionsPerClient', 'maxSessions', 'maxFragments', 'maxBufferedChunks', 'outboundHighWatermark', 'preAuthTimeoutMs', 'mcpStartTimeoutMs', 'mcpCallTimeoutMs'];
  for (const key of positive) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`Server option ${key} must be a positive integer, got ${String(value)}`);
  }
  if (!Number.isInteger(options.mcpMaxRestarts) || options.mcpMaxRestarts < 0) throw new Error(`Server option mcpMaxRestarts must be 0 or more, got ${options.mcpMaxRestarts}`);
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
export function connectionRefusal(open: number, options: Pick<ServerLimits, 'maxConnections'>): string | undefined {
  if (open < options.maxConnections) return undefined;
  return `too many connections: this server accepts ${options.maxConnections} at once (--max-connections); close another client and retry`;
}

/** The -32602 error for params that failed validation: the first issues, and how many there were. */
export function invalidParams(method: string, issues: readonly Issue[]): RpcError {
  const { text, shown } = summarizeIssues(issues, '(params)');
  const data = shown.length < issues.length ? { issues: shown, issueCount: issues.length } : { issues: shown };
  return new RpcError(ErrorCodes.InvalidParams, `Invalid params for ${method}: ${text}`, data);
}

/**
 * Throws the -32030 error `session/new` answers when a session limit is reached, given the sessions the
 * connection owns and the sessions on the server.
 */
export function ensureSessionCapacity(
  { own, total }: { own: number; total: number },
  options: Pick<ServerLimits, 'maxSessionsPerClient' | 'maxSessions'>,
): void {
  if (own >= options.maxSessionsPerClient) {
    throw new RpcError(
      ErrorCodes.LimitExceeded,
      `this connection already has ${own} sessions, the most allowed (--max-sessions-per-client ${options.maxSessionsPerClient}); close one with session/close and retry`,
      { limit: 'maxSessionsPerClient', max: options.maxSessionsPerClient },
    );
  }
  if (total >= options.maxSessions) {
    throw new RpcError(
      ErrorCodes.LimitExceeded,
      `the server already holds ${total} sessions, the most allowed (--max-sessions ${options.maxSessions}); sessions of disconnected clients expire after the grace period`,
      { limit: 'maxSessions', max: options.maxSessions },
    );
  }
}
