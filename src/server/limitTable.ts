/**
 * Every configurable limit of the server, described once: `punie serve` turns it into flags and help, the
 * extension into `punie.localServer.*` settings (package.json declares one per entry, checked by a test).
 */
export type ServerLimitKey =
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
  | 'slowClientMaxBacklogBytes'
  | 'preAuthTimeoutMs'
  | 'mcpStartTimeoutMs'
  | 'mcpCallTimeoutMs'
  | 'mcpMaxRestarts';

export const SERVER_LIMITS: readonly { flag: string; key: ServerLimitKey; arg: string; help: string }[] = [
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
  { flag: 'pre-auth-timeout-ms', key: 'preAuthTimeoutMs', arg: '<n>', help: 'time a socket may take to send its headers and upgrade' },
  { flag: 'mcp-start-timeout-ms', key: 'mcpStartTimeoutMs', arg: '<n>', help: 'time an MCP server has to start and list its tools' },
  { flag: 'mcp-call-timeout-ms', key: 'mcpCallTimeoutMs', arg: '<n>', help: 'time an MCP tool call may go without an answer or progress' },
  { flag: 'mcp-max-restarts', key: 'mcpMaxRestarts', arg: '<n>', help: 'restarts in a row before an exiting MCP server is given up' },
];
