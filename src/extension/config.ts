/** The `punie.*` settings, read into one typed value. `package.json` documents each of them. */
import * as vscode from 'vscode';
import { SERVER_LIMITS, type ServerLimitKey } from '../server/limitTable';
import { defaultServerOptions } from '../server/options';

export type ServerMode = 'local' | 'remote';
export type AutoApprove = 'never' | 'reads' | 'all';

export interface PunieConfig {
  mode: ServerMode;
  remoteUrl: string;
  /** `punie.server.allowInsecureRemote`: plain ws:// to a host other than loopback. */
  allowInsecureRemote: boolean;
  localPort: number;
  model: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  promptInactivityTimeoutMs: number;
  /** 0 = no cap. */
  promptTotalTimeoutMs: number;
  heartbeatIntervalMs: number;
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  /** 0 = keep trying. */
  reconnectMaxAttempts: number;
  reconnectMinUptimeMs: number;
  autoApprove: AutoApprove;
  /** The agent's own read-only searches run without a prompt. */
  allowSearches: boolean;
  terminalOutputByteLimit: number;
  /** 0 = no limit. */
  terminalTimeoutMs: number;
  /** `punie.localServer.*`: the in-process server's limits. */
  localLimits: Record<ServerLimitKey, number>;
}

export const SECTION = 'punie';

/** Settings that change which server is used or how the client talks to it: the connection is rebuilt. */
export const CONNECTION_KEYS = [
  'server.mode',
  'server.url',
  'server.localPort',
  'server.allowInsecureRemote',
  'localServer',
  'timeouts',
  'heartbeat',
  'reconnect',
].map((k) => `${SECTION}.${k}`);

function int(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min = 0): number {
  const value = config.get<number>(key, fallback);
  return Number.isFinite(value) && value >= min ? Math.floor(value) : fallback;
}

export function readConfig(): PunieConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const mode = c.get<string>('server.mode', 'local');
  const autoApprove = c.get<string>('permissions.autoApprove', 'never');
  return {
    mode: mode === 'remote' ? 'remote' : 'local',
    remoteUrl: c.get<string>('server.url', 'ws://127.0.0.1:8000/ws').trim(),
    allowInsecureRemote: c.get<boolean>('server.allowInsecureRemote', false) === true,
    localPort: Math.min(int(c, 'server.localPort', 0), 65535),
    model: c.get<string>('model', 'test').trim() || 'test',
    connectTimeoutMs: int(c, 'timeouts.connectMs', 10_000, 100),
    requestTimeoutMs: int(c, 'timeouts.requestMs', 30_000, 100),
    promptInactivityTimeoutMs: int(c, 'timeouts.promptInactivityMs', 120_000, 1000),
    promptTotalTimeoutMs: int(c, 'timeouts.promptTotalMs', 0),
    heartbeatIntervalMs: int(c, 'heartbeat.intervalMs', 15_000, 100),
    reconnectInitialDelayMs: int(c, 'reconnect.initialDelayMs', 300, 0),
    reconnectMaxDelayMs: int(c, 'reconnect.maxDelayMs', 30_000, 0),
    reconnectMaxAttempts: int(c, 'reconnect.maxAttempts', 0),
    reconnectMinUptimeMs: int(c, 'reconnect.minUptimeMs', 5_000, 0),
    autoApprove: autoApprove === 'reads' || autoApprove === 'all' ? autoApprove : 'never',
    allowSearches: c.get<boolean>('permissions.allowSearches', true) !== false,
    terminalOutputByteLimit: int(c, 'terminal.outputByteLimit', 1024 * 1024, 1024),
    terminalTimeoutMs: int(c, 'terminal.timeoutMs', 600_000),
    localLimits: Object.fromEntries(SERVER_LIMITS.map(({ key }) => [key, int(c, `localServer.${key}`, defaultServerOptions[key])])) as Record<ServerLimitKey, number>,
  };
}
