/** The client manager's defaults (reliability-perf.md §0) and how partial options are completed. */
import { silentLogger } from '../util/logger';
import { PUNIE_VERSION } from '../util/version';
import type { ClientManagerOptions, ReconnectOptions } from './types';

export type ClientOptionsInput = Partial<Omit<ClientManagerOptions, 'reconnect'>> & {
  url: string;
  reconnect?: Partial<ReconnectOptions>;
};

// A first retry within 300 ms (uniform): a resume after a cut takes ≈ 150 ms at the median (issue 17: < 250 ms), and
// 1,000 clients of a restarted server still arrive spread over 300 ms, not at once.
export const defaultReconnectOptions: ReconnectOptions = { initialDelayMs: 300, maxDelayMs: 15_000, minUptimeMs: 5_000 };

export const defaultClientOptions: Omit<ClientManagerOptions, 'url'> = {
  clientInfo: { name: 'punie-client', version: PUNIE_VERSION },
  capabilities: {},
  connectTimeoutMs: 10_000,
  handshakeTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  promptInactivityTimeoutMs: 300_000,
  heartbeatIntervalMs: 15_000,
  sleepToleranceMs: 15_000,
  reconnect: defaultReconnectOptions,
  resumeRetryWindowMs: 60_000,
  logger: silentLogger,
  now: Date.now,
  random: Math.random,
};

export function resolveClientOptions(input: ClientOptionsInput): ClientManagerOptions {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ClientOptionsInput;
  const reconnect = { ...defaultReconnectOptions, ...defined.reconnect };
  const options: ClientManagerOptions = { ...defaultClientOptions, ...defined, reconnect };
  if (!/^wss?:\/\//.test(options.url)) throw new Error(`Punie server URL must start with ws:// or wss://, got "${options.url}"`);
  for (const key of ['connectTimeoutMs', 'handshakeTimeoutMs', 'requestTimeoutMs', 'promptInactivityTimeoutMs', 'heartbeatIntervalMs'] as const) {
    if (!(options[key] > 0)) throw new Error(`${key} must be a positive number of milliseconds, got ${options[key]}`);
  }
  if (!(reconnect.initialDelayMs >= 0 && reconnect.maxDelayMs >= reconnect.initialDelayMs)) {
    throw new Error(`reconnect delays must satisfy 0 ≤ initialDelayMs ≤ maxDelayMs, got ${reconnect.initialDelayMs} and ${reconnect.maxDelayMs}`);
  }
  return options;
}
