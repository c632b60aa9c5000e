/** Every setting of the Punie server, with the defaults documented in the README. */
import { defaultAgentSessionOptions, type AgentSessionOptions } from '../agent/session';
import { silentLogger, type Logger } from '../util/logger';
import { defaultRetention } from '../store/retention';
import type { StoreIo } from '../store/jsonlFile';
import type { RedisTarget } from '../store/redisConnection';
import { checkLimits } from './limits';
import { isLoopbackHost } from './security';
import { randomToken } from '../util/randomToken';
import type { UserTable } from './users';

export interface ServerOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /**
   * Required as `Authorization: Bearer …` (or the Basic password). Without a token, `users` or `unauthenticated`
   * the server makes a random one (read it back from `options.token`): a token even on loopback.
   */
  token?: string;
  /** Tests and benchmarks only: accept connections without a token; refused unless bound to loopback. */
  unauthenticated?: boolean;
  /** Exact `Origin` values allowed to upgrade (browsers always send one; Node and Python clients send none). */
  allowedOrigins: string[];
  /** Host names besides the loopback ones and `host` that may appear in the `Host` header. */
  allowedHosts: string[];
  /** Default model of new sessions. */
  model: string;
  agentName: string;
  /** Server ping interval; a peer that misses two pongs is terminated. */
  heartbeatIntervalMs: number;
  /** A connection silent this long is closed, unless one of its prompts is running. */
  idleTimeoutMs: number;
  /** How long a disconnected client's sessions wait to be resumed. */
  gracePeriodMs: number;
  cleanupIntervalMs: number;
  /** Largest inbound message. */
  maxPayload: number;
  /** Most updates and bytes kept per session for replay on resume. */
  replayMaxUpdates: number;
  replayMaxBytes: number;
  /** Most WebSocket clients at once; one more is refused with HTTP 503 before the upgrade. */
  maxConnections: number;
  /** Most sessions one connection may own; `session/new` beyond it gets error -32030. */
  maxSessionsPerClient: number;
  /** Most sessions on the server, counting those waiting for a resume; `session/new` beyond it gets -32030. */
  maxSessions: number;
  /** Most fragments of one inbound message and most buffered chunks (ws tiny-fragment guard); beyond: close 1008. */
  maxFragments: number;
  maxBufferedChunks: number;
  /** Inbound messages per second per connection (token bucket refill; 0 turns the limit off). */
  rateLimitPerSecond: number;
  /** Messages a connection may send at once before the per-second rate applies. */
  rateLimitBurst: number;
  /** A connection with more refused messages than this within 10 s is closed with 1008. */
  rateLimitMaxRefused: number;
  /** Socket bytes buffered above which outbound messages queue (and text chunks coalesce). */
  outboundHighWatermark: number;
  /** Queued messages flow again once the socket drains below this. */
  outboundLowWatermark: number;
  /** A client whose backlog stays over this for `slowClientTimeoutMs` is closed with 1013. */
  slowClientBacklogBytes: number;
  slowClientTimeoutMs: number;
  /** A client whose backlog reaches this is closed with 1013 at once. */
  slowClientMaxBacklogBytes: number;
  /** The MCP timings of the limit table; they are applied to `agent.mcp` (which holds their defaults). */
  mcpStartTimeoutMs: number;
  mcpCallTimeoutMs: number;
  mcpMaxRestarts: number;
  /** A socket that has not upgraded (with the right token) this long after connecting is closed. */
  preAuthTimeoutMs: number;
  /**
   * Model strings a client may pick (`session/new` `_meta.model`): exact strings, or patterns where `*`
   * matches anything. Empty: the server's own `model` and the built-in test models.
   */
  allowedModels: readonly string[] | (() => readonly string[]);
  /** Graceful shutdown: clients get 1001, and are terminated if still open after this long. */
  shutdownTimeoutMs: number;
  /** Where sessions are kept across restarts (JSONL files); unset: in memory only. */
  dataDir?: string;
  /** Stored sessions untouched this long are deleted. */
  sessionRetentionMs: number;
  /** Total bytes of stored sessions; the least recently used go first beyond it. */
  storeMaxBytes: number;
  /** Fleet mode: sessions are kept in this Redis, shared with every server using it (instead of `dataDir`). */
  store?: RedisTarget;
  /** Bytes of one session's records kept while Redis is away; beyond them its running turn is failed. */
  storeBufferBytes: number;
  /** A replica that stops renewing its sessions' leases this long is taken for dead. */
  fleetLeaseMs: number;
  /** This server's name in the fleet (default: host, pid and a random suffix). */
  replicaId?: string;
  /** Replaces the store's write and fsync (tests inject a full disk). */
  storeIo?: Partial<StoreIo>;
  /** `--users-file`: several users, each with a token; without it there is one user. */
  users?: UserTable;
  /** Embedded servers: every connection is this one local user, whatever its token. */
  localUser?: string;
  /** Each session's agent: history and transcript bounds, step limit and tool output limits of a turn. */
  agent: AgentSessionOptions;
  /** Wall clock, injectable for tests. */
  now: () => number;
  logger: Logger;
}

export const defaultServerOptions: ServerOptions = {
  host: '127.0.0.1',
  port: 8000,
  allowedOrigins: [],
  allowedHosts: [],
  model: 'test',
  agentName: 'punie-agent',
  heartbeatIntervalMs: 15_000,
  idleTimeoutMs: 30 * 60_000,
  gracePeriodMs: 300_000,
  cleanupIntervalMs: 30_000,
  maxPayload: 16 * 1024 * 1024,
  replayMaxUpdates: 10_000,
  replayMaxBytes: 8 * 1024 * 1024,
  maxConnections: 256,
  maxSessionsPerClient: 64,
  maxSessions: 1024,
  maxFragments: 16 * 1024,
  maxBufferedChunks: 256 * 1024,
  rateLimitPerSecond: 200,
  rateLimitBurst: 1000,
  rateLimitMaxRefused: 1000,
  outboundHighWatermark: 1024 * 1024,
  outboundLowWatermark: 256 * 1024,
  slowClientBacklogBytes: 16 * 1024 * 1024,
  slowClientTimeoutMs: 10_000,
  slowClientMaxBacklogBytes: 64 * 1024 * 1024,
  preAuthTimeoutMs: 10_000,
  mcpStartTimeoutMs: defaultAgentSessionOptions.mcp.startTimeoutMs,
  mcpCallTimeoutMs: defaultAgentSessionOptions.mcp.callTimeoutMs,
  mcpMaxRestarts: defaultAgentSessionOptions.mcp.restart.maxAttempts,
  allowedModels: [],
  shutdownTimeoutMs: 5_000,
  sessionRetentionMs: defaultRetention.retentionMs,
  storeMaxBytes: defaultRetention.maxBytes,
  storeBufferBytes: 16 * 1024 * 1024,
  fleetLeaseMs: 15_000,
  agent: defaultAgentSessionOptions,
  now: Date.now,
  logger: silentLogger,
};

export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
  const options = { ...defaultServerOptions, ...stripUndefined(partial) };
  // The flags and settings of the limit table win; a caller that sets only agent.mcp keeps its values.
  const mcp = options.agent.mcp;
  options.mcpStartTimeoutMs = partial.mcpStartTimeoutMs ?? mcp.startTimeoutMs;
  options.mcpCallTimeoutMs = partial.mcpCallTimeoutMs ?? mcp.callTimeoutMs;
  options.mcpMaxRestarts = partial.mcpMaxRestarts ?? mcp.restart.maxAttempts;
  options.agent = {
    ...options.agent,
    mcp: { ...mcp, startTimeoutMs: options.mcpStartTimeoutMs, callTimeoutMs: options.mcpCallTimeoutMs, restart: { ...mcp.restart, maxAttempts: options.mcpMaxRestarts } },
  };
  if (options.unauthenticated && (options.token || options.users)) throw new Error('unauthenticated excludes token and users');
  if (options.unauthenticated && !isLoopbackHost(options.host)) {
    throw new Error(`Refusing to listen on ${options.host} without a token: set --token or PUNIE_TOKEN, or bind 127.0.0.1`);
  }
  if (!options.unauthenticated && !options.token && !options.users) options.token = randomToken();
  checkLimits(options);
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
