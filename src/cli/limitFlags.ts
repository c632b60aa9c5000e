/** The `punie serve` flags for the server's limits: one table drives parsing and the help text. */
import { defaultServerOptions, type ServerOptions } from '../server/options';
import { intOption } from './args';

type LimitKey =
  | 'maxConnections'
  | 'maxSessionsPerClient'
  | 'maxSessions'
  | 'maxPayload'
  | 'maxFragments'
  | 'maxBufferedChunks'
  | 'rateLimitPerSecond'
  | 'rateLimitBurst'
  | 'rateLimitMaxRefused'
  | 'outboundHighWatermark'
  | 'outboundLowWatermark'
  | 'slowClientBacklogBytes'
  | 'slowClientTimeoutMs'
  | 'slowClientMaxBacklogBytes';

export const LIMIT_FLAGS: readonly { flag: string; key: LimitKey; arg: string; help: string }[] = [
  { flag: 'max-connections', key: 'maxConnections', arg: '<n>', help: 'WebSocket clients at once; more get HTTP 503' },
  { flag: 'max-sessions-per-client', key: 'maxSessionsPerClient', arg: '<n>', help: 'sessions one connection may own (error -32030)' },
  { flag: 'max-sessions', key: 'maxSessions', arg: '<n>', help: 'sessions on the server, incl. ones awaiting resume' },
  { flag: 'max-payload', key: 'maxPayload', arg: '<bytes>', help: 'largest inbound message; larger closes with 1009' },
  { flag: 'max-fragments', key: 'maxFragments', arg: '<n>', help: 'fragments of one message; more closes with 1008' },
  { flag: 'max-buffered-chunks', key: 'maxBufferedChunks', arg: '<n>', help: 'buffered network chunks of one message (1008)' },
  { flag: 'rate-limit', key: 'rateLimitPerSecond', arg: '<n/s>', help: 'inbound messages per second per connection (0: off)' },
  { flag: 'rate-burst', key: 'rateLimitBurst', arg: '<n>', help: 'messages a connection may send at once' },
  { flag: 'rate-max-refused', key: 'rateLimitMaxRefused', arg: '<n>', help: 'refused messages in 10 s before closing with 1008' },
  { flag: 'outbound-high-water', key: 'outboundHighWatermark', arg: '<bytes>', help: 'socket buffer above which output queues' },
  { flag: 'outbound-low-water', key: 'outboundLowWatermark', arg: '<bytes>', help: 'queued output flows again below this' },
  { flag: 'slow-client-backlog', key: 'slowClientBacklogBytes', arg: '<bytes>', help: 'backlog that starts the slow-client timer' },
  { flag: 'slow-client-timeout-ms', key: 'slowClientTimeoutMs', arg: '<n>', help: 'time over that backlog before closing with 1013' },
  { flag: 'slow-client-max-backlog', key: 'slowClientMaxBacklogBytes', arg: '<bytes>', help: 'backlog that closes with 1013 at once' },
];

/** `parseArgs` option specs for the limit flags. */
export const limitArgSpecs = Object.fromEntries(LIMIT_FLAGS.map((f) => [f.flag, { type: 'string' as const }]));

/** The limits given on the command line, defaults elsewhere. */
export function limitOptions(values: Record<string, unknown>): Pick<ServerOptions, LimitKey> {
  return Object.fromEntries(
    LIMIT_FLAGS.map((f) => [f.key, intOption(f.flag, values[f.flag] as string | undefined, defaultServerOptions[f.key])]),
  ) as Pick<ServerOptions, LimitKey>;
}

/** Help lines: flag, what it limits, default. */
export function limitHelp(): string {
  return LIMIT_FLAGS.map((f) => `  --${`${f.flag} ${f.arg}`.padEnd(34)}${f.help} (default ${defaultServerOptions[f.key]})\n`).join('');
}
