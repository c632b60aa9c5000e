/** Every setting of the Punie server, with the defaults documented in the README. */
import { defaultAgentSessionOptions, type AgentSessionOptions } from '../agent/session';
import { silentLogger, type Logger } from '../transport/logger';

export interface ServerOptions {
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Required as `Authorization: Bearer …` when set; mandatory for a non-loopback host. */
  token?: string;
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
  /** Graceful shutdown: clients get 1001, and are terminated if still open after this long. */
  shutdownTimeoutMs: number;
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
  shutdownTimeoutMs: 5_000,
  agent: defaultAgentSessionOptions,
  now: Date.now,
  logger: silentLogger,
};

export function resolveServerOptions(partial: Partial<ServerOptions>): ServerOptions {
  const options = { ...defaultServerOptions, ...stripUndefined(partial) };
  if (!isLoopbackHost(options.host) && !options.token) {
    throw new Error(`Refusing to listen on ${options.host} without a token: set --token or PUNIE_TOKEN, or bind 127.0.0.1`);
  }
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
